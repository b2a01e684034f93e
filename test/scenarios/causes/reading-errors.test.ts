import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { TransientAwsError } from '../../../handlers/core/ports.ts';
import { diagnose } from '../../../handlers/core/diagnosis/index.ts';
import { denialRecord, incidentOf, scenario } from './harness.ts';

describe('errors while diagnosing', () => {
  it('a transient error propagates, so that the state machine retries the Diagnose step', async () => {
    const s = scenario({}, {}, { faults: [{ api: 'GetRole', error: 'ServiceUnavailable', times: 1 }] });
    const account = new SimulatedAccount(s);
    await expect(diagnose(account.ports, incidentOf([denialRecord()]), s.config)).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('a refused read (our own access denied) is evidence, not a crash, and the cause stays unknown', async () => {
    const s = scenario({}, {}, { faults: [{ api: 'SimulatePrincipalPolicy', error: 'AccessDenied', times: 1, message: 'not authorized to perform iam:SimulatePrincipalPolicy' }] });
    const account = new SimulatedAccount(s);
    const d = await diagnose(account.ports, incidentOf([denialRecord()]), s.config);
    expect(d.cause).toBe('unknown');
    expect(d.evidence).toContainEqual(expect.objectContaining({ kind: 'read error', summary: expect.stringMatching(/^iam:SimulatePrincipalPolicy: AccessDenied/) }));
  });
});
