/** What a person's approval in one batch of a fleet covers in the later ones: the same change to other instances, nothing else. */
import { describe, expect, it } from 'vitest';
import { approvalCovers, carriedApproval } from '../../../handlers/core/approval.ts';
import type { PlannedAction } from '../../../handlers/core/incident.ts';

const answer = { by: 'arn:aws:sts::111122223333:assumed-role/oncall/alice', at: '2026-12-05T10:00:00.000Z', approvalId: 'ap-0123456789' };
const associate = (id: string, profileName = 'batch-worker'): PlannedAction => ({ type: 'associate-profile', target: id, params: { profileName }, reason: 'no profile' });
const replace = (id: string, associationId: string, profileName = 'batch-worker'): PlannedAction => ({ type: 'replace-association', target: id, params: { profileName, associationId }, reason: 'stale' });
const templateVersion: PlannedAction = { type: 'create-launch-template-version', target: 'lt-07a0b5cea4ece8ffd', params: { sourceVersion: 1, profileName: 'batch-worker' }, reason: 'no profile' };
const attach: PlannedAction = { type: 'attach-policy', target: 'batch-worker', params: { policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }, reason: 'declared' };

describe('an approval carried to a later batch', () => {
  const approved = carriedApproval(answer, [templateVersion, associate('i-0aaa'), associate('i-0bbb'), replace('i-0ccc', 'iip-assoc-1')], false);

  it('covers the same association of the same profile to other instances', () => {
    expect(approvalCovers(approved, [associate('i-0ddd'), associate('i-0eee')], false)).toBe(true);
    expect(approvalCovers(approved, [replace('i-0fff', 'iip-assoc-9')], false)).toBe(true);
  });

  it('does not cover another profile, another kind of change, or an empty plan', () => {
    expect(approvalCovers(approved, [associate('i-0ddd', 'admin-profile')], false)).toBe(false);
    expect(approvalCovers(approved, [associate('i-0ddd'), attach], false)).toBe(false);
    expect(approvalCovers(approved, [{ ...templateVersion, target: 'lt-0another000000000' }], false)).toBe(false);
    expect(approvalCovers(approved, [], false)).toBe(false);
  });

  it('covers a plan past the budget only when it was approved past the budget', () => {
    expect(approvalCovers(approved, [associate('i-0ddd')], true)).toBe(false);
    const pastBudget = carriedApproval(answer, [associate('i-0aaa')], true);
    expect(approvalCovers(pastBudget, [associate('i-0ddd')], true)).toBe(true);
    expect(pastBudget).toMatchObject({ by: answer.by, approvalId: answer.approvalId, overBudget: true });
  });
});
