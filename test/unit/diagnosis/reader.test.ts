import { describe, expect, it } from 'vitest';
import { READ_ATTEMPTS, Reader } from '../../../handlers/core/diagnosis/reader.ts';
import type { Facts } from '../../../handlers/core/diagnosis/facts.ts';
import { LambdaCrash } from '../../../handlers/adapters/simulated/index.ts';
import { AwsCallError, NotFoundError, ThrottlingError, TransientAwsError } from '../../../handlers/core/ports.ts';

const facts = () => ({ throttling: { count: 0, apis: [] }, readErrors: [] }) as unknown as Facts;
const failing = (err: Error) => async () => {
  throw err;
};

describe('Reader: only answers of AWS become facts', () => {
  it('records a refusal, a missing resource or a read still throttled after its attempts as a read error', async () => {
    const f = facts();
    const reader = new Reader(f);
    expect(await reader.read('GetRole', failing(new AwsCallError('AccessDenied: no', 'AccessDenied')))).toBeUndefined();
    expect(await reader.read('GetInstanceProfile', failing(new NotFoundError('NoSuchEntity')))).toBeUndefined();
    expect(await reader.read('DescribeInstances', failing(new ThrottlingError('Rate exceeded')))).toBeUndefined();
    expect(f.readErrors).toEqual(['GetRole: AccessDenied: no', 'GetInstanceProfile: NoSuchEntity', `DescribeInstances: still throttled after ${READ_ATTEMPTS} attempts (Rate exceeded)`]);
    expect(f.throttling).toEqual({ count: READ_ATTEMPTS, apis: ['DescribeInstances'] });
  });

  it('retries a throttled read with growing waits on the clock, and answers once it passes', async () => {
    const f = facts();
    const waits: number[] = [];
    const reader = new Reader(f, { sleep: async (ms) => { waits.push(ms); } });
    let calls = 0;
    const answer = await reader.read('GetRole', async () => {
      calls += 1;
      if (calls <= 2) throw new ThrottlingError('Rate exceeded');
      return 'role';
    });
    expect(answer).toBe('role');
    expect(waits).toEqual([200, 400]);
    expect(f.readErrors).toEqual([]);
    expect(f.throttling).toEqual({ count: 2, apis: ['GetRole'] });
  });

  it('fails the step on a 5xx, a dying Lambda or a bug, so that the state machine retries or records the failure', async () => {
    const f = facts();
    const reader = new Reader(f);
    await expect(reader.read('GetRole', failing(new TransientAwsError('ServiceUnavailable', 'ServiceUnavailable')))).rejects.toThrow(TransientAwsError);
    await expect(reader.read('GetRole', failing(new LambdaCrash('the Lambda crashed before GetRole')))).rejects.toMatchObject({ name: 'Lambda.Unknown' });
    await expect(reader.read('GetRole', failing(new TypeError('x is undefined')))).rejects.toThrow(TypeError);
    expect(f.readErrors).toEqual([]);
  });
});
