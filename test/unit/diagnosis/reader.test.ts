import { describe, expect, it } from 'vitest';
import { Reader } from '../../../handlers/core/diagnosis/reader.ts';
import type { Facts } from '../../../handlers/core/diagnosis/facts.ts';
import { LambdaCrash } from '../../../handlers/adapters/simulated/index.ts';
import { AwsCallError, NotFoundError, ThrottlingError, TransientAwsError } from '../../../handlers/core/ports.ts';

const facts = () => ({ throttling: { count: 0, apis: [] }, readErrors: [] }) as unknown as Facts;
const failing = (err: Error) => async () => {
  throw err;
};

describe('Reader: only answers of AWS become facts', () => {
  it('records a refusal or a missing resource as a read error, and throttling as throttling', async () => {
    const f = facts();
    const reader = new Reader(f);
    expect(await reader.read('GetRole', failing(new AwsCallError('AccessDenied: no', 'AccessDenied')))).toBeUndefined();
    expect(await reader.read('GetInstanceProfile', failing(new NotFoundError('NoSuchEntity')))).toBeUndefined();
    expect(await reader.read('DescribeInstances', failing(new ThrottlingError('Rate exceeded')))).toBeUndefined();
    expect(f.readErrors).toEqual(['GetRole: AccessDenied: no', 'GetInstanceProfile: NoSuchEntity']);
    expect(f.throttling).toEqual({ count: 1, apis: ['DescribeInstances'] });
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
