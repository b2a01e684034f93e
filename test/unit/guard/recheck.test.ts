/** Decided again after the approval wait: the approved plan, or a part of it, goes ahead; nothing the approver did not see. */
import { describe, expect, it } from 'vitest';
import { recheckAfterApproval } from '../../../handlers/core/guard.ts';
import type { GuardDecision, PlannedAction } from '../../../handlers/core/incident.ts';

const associate = (id: string, profileName = 'batch-worker'): PlannedAction => ({ type: 'associate-profile', target: id, params: { profileName }, reason: 'no profile' });
const decided = (allowed: PlannedAction[], verdict: GuardDecision['verdict'] = 'await-approval'): GuardDecision => ({ verdict, mode: 'approve', reason: 'r', allowed, refused: [], deferred: [] });
const approved = [associate('i-0a'), associate('i-0b'), associate('i-0c')];

describe('recheckAfterApproval', () => {
  it('lets the same plan go ahead', () => {
    expect(recheckAfterApproval(decided(approved), approved)).toMatchObject({ unchanged: true, reason: expect.stringMatching(/the same plan/) });
  });

  it('lets a part of the approved plan go ahead (instances gone or fixed meanwhile), saying how many changes dropped', () => {
    expect(recheckAfterApproval(decided([associate('i-0b')], 'apply'), approved)).toMatchObject({ unchanged: true, reason: expect.stringMatching(/less 2 change\(s\) no longer needed/) });
  });

  it('refuses a plan with a change the approver did not see, or the same instance with another profile', () => {
    expect(recheckAfterApproval(decided([associate('i-0a'), associate('i-0d')]), approved).unchanged).toBe(false);
    expect(recheckAfterApproval(decided([associate('i-0a', 'admin')]), approved).unchanged).toBe(false);
  });

  it('refuses an empty plan or a verdict that changes nothing', () => {
    expect(recheckAfterApproval(decided([]), approved).unchanged).toBe(false);
    expect(recheckAfterApproval(decided([associate('i-0a')], 'escalate'), approved).unchanged).toBe(false);
  });
});
