// A port whose adapter loads on its first call (the Lambda bundle keeps it in a chunk read only when called).
import { describe, expect, it } from 'vitest';
import { lazyPort } from '../../../handlers/adapters/aws/lazy-port.ts';

interface Greeter {
  greet(name: string): Promise<string>;
  count(): Promise<number>;
}

describe('lazyPort', () => {
  it('loads the adapter once, on the first call, and passes every call through with its arguments', async () => {
    let loads = 0;
    let calls = 0;
    const port = lazyPort<Greeter>({ greet: true, count: true }, async () => {
      loads += 1;
      return { greet: async (name) => { calls += 1; return `hello ${name}`; }, count: async () => calls };
    });
    expect(loads).toBe(0);
    expect(await Promise.all([port.greet('a'), port.greet('b')])).toEqual(['hello a', 'hello b']);
    expect(await port.count()).toBe(2);
    expect(loads).toBe(1);
  });

  it('makes a failed load the error of that call and loads again on the next one', async () => {
    let loads = 0;
    const port = lazyPort<Pick<Greeter, 'count'>>({ count: true }, async () => {
      loads += 1;
      if (loads === 1) throw new Error('Cannot find module ./chunks/sts.mjs');
      return { count: async () => 7 };
    });
    await expect(port.count()).rejects.toThrow(/Cannot find module/);
    expect(await port.count()).toBe(7);
    expect(loads).toBe(2);
  });
});
