/** How an execution's end reads when instances beyond the planned batch are still without a profile. */
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../../handlers/steps/outcome.ts';
import type { WorkflowState } from '../../../handlers/steps/types.ts';

function ended(unplannedWithoutProfile: number): WorkflowState {
  return {
    route: { path: 'unverified' },
    apply: { next: 1, done: true, results: [{ type: 'associate-profile', target: 'i-1', result: 'done' }], writes: { iam: 0, ec2: 1 } },
    verify: { verified: false, exhausted: true, evidence: [], wait: { seconds: 0, elapsedSeconds: 300 }, unplannedWithoutProfile },
  } as unknown as WorkflowState;
}

describe('outcome of an unverified execution', () => {
  it('names how many instances are left without a profile and is never fixed', () => {
    const outcome = outcomeOf(ended(100));
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^100 instances of the incident beyond the 200 planned still have no instance profile: not fixed/);
  });

  it('names the spent wait budget when nothing is left beyond the plan', () => {
    expect(outcomeOf(ended(0)).reason).toBe('not verified within the 300s wait budget');
  });
});

describe('outcome of a cause only a person may change', () => {
  it('says why and who to talk to, from the diagnosis (the record and the outcome event carry it)', () => {
    const state = {
      route: { path: 'escalate' },
      diagnose: { diagnosis: { cause: 'incident-response', summary: 'responder.ana called DetachRolePolicy on app 40s ago: an incident response is respected', owner: 'the incident responders' } },
    } as unknown as WorkflowState;
    expect(outcomeOf(state)).toMatchObject({
      status: 'escalated',
      reason: 'incident-response is never changed automatically: responder.ana called DetachRolePolicy on app 40s ago: an incident response is respected; talk to the incident responders',
    });
  });
});
