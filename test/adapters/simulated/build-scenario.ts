/** A small account for the simulated-account tests: one role "app" in profile "app", one bare instance. */
import { parseScenario, type Scenario } from '../../../handlers/adapters/simulated/scenario.ts';

export const ACCOUNT_ID = '111122223333';
export const INSTANCE_ID = 'i-0aaa1111bbbb2222c';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/app`;
export const EC2_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
export const READ_CONFIG = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/*' }],
};

type Json = Record<string, unknown>;

export function buildScenario(change: { account?: Json; physics?: Json; role?: Json; instance?: Json; extra?: Json } = {}): Scenario {
  return parseScenario(
    {
      name: 'test account',
      account: {
        accountId: ACCOUNT_ID,
        region: 'eu-west-1',
        roles: [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { 'read-config': READ_CONFIG }, ...change.role }],
        instanceProfiles: [{ name: 'app', roles: ['app'] }, { name: 'empty', roles: [] }],
        instances: [{ id: INSTANCE_ID, state: 'running', instanceProfile: null, ...change.instance }],
        ...change.account,
      },
      physics: { propagationSeconds: 5, iamWritesPerSecond: 5, startTime: '2026-10-02T08:00:00Z', ...change.physics },
      ...change.extra,
    },
    'test-scenario.json',
  );
}

/** The error a call fails with; fails the test when the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the call to fail');
}
