import { describe, expect, it } from 'vitest';
import { undoSteps } from '../../handlers/core/audit.ts';
import type { AuditRecord } from '../../handlers/core/audit-record.ts';

describe('undoSteps', () => {
  const base = { incidentKey: 'k', executionName: 'e', cause: null, account: 'a', region: 'r', error: null, actor: 'x', timestamp: '2026-01-01T00:00:00Z' };
  const rec = (step: string, phase: AuditRecord['phase'], action: string, result: AuditRecord['result'], params: Record<string, unknown> = {}): AuditRecord =>
    ({ ...base, step, phase, action: action as AuditRecord['action'], target: 't', before: { kind: 'x' }, after: null, result, params });

  it('lists applied changes newest first, skipping failed ones, waits, proposals and those already undone', () => {
    const records = [
      rec('0001-intent', 'intent', 'merge-trust', 'pending'),
      rec('0002-result', 'result', 'merge-trust', 'done'),
      rec('0003-result', 'result', 'wait', 'done'),
      rec('0004-result', 'result', 'attach-policy', 'failed'),
      rec('0005-result', 'result', 'attach-policy', 'done'),
      rec('0006-result', 'result', 'associate-profile', 'done'),
      rec('0007-result', 'result', 'propose-policy', 'done'),
      rec('0008-undo-result', 'undo-result', 'undo', 'undone', { undoes: '0006-result' }),
    ];
    expect(undoSteps(records).map((s) => s.record.step)).toEqual(['0005-result', '0002-result']);
  });
});
