/**
 * The outcome of a fleet incident's own execution, from what its child executions recorded (each child's Record writes
 * its batch's outcome to the audit trail): the state of the parent holds no per-instance result.
 */
import type { AuditRecord } from '../core/audit-record.ts';
import type { Cause } from '../core/causes.ts';
import { INSTANCE_ACTIONS, type ActionResult, type Evidence, type IncidentStatus } from '../core/incident.ts';
import type { NotifiedDiagnosis } from '../core/notification.ts';
import { goneNote } from '../core/remediations/instance-gone.ts';
import type { RecordOutput, WorkflowState } from './types.ts';

export interface BatchOutcome {
  index: number;
  status: IncidentStatus;
  reason: string;
  actions: ActionResult[];
  cause: Cause | null;
  summary: string | null;
  /** The batch's diagnosis as its message shows it (evidence, who to talk to), without its per-instance plan. */
  diagnosis: NotifiedDiagnosis | null;
}

/** Each child's recorded outcome (its last `outcome:` decision), by batch index. */
export function batchOutcomesOf(records: AuditRecord[], prefix: string): BatchOutcome[] {
  const byIndex = new Map<number, BatchOutcome>();
  const pattern = new RegExp(`^${prefix}-b(\\d+)$`);
  for (const r of records) {
    const match = pattern.exec(r.executionName);
    if (!match || r.phase !== 'decision' || !String(r.params?.['summary'] ?? '').startsWith('outcome:')) continue;
    const data = r.after as { status: IncidentStatus; reason: string; actions?: ActionResult[]; diagnosis?: { cause: Cause; summary: string; evidence?: Evidence[]; owner?: string | null } | null };
    const d = data.diagnosis;
    const diagnosis = d ? { cause: d.cause, summary: d.summary, evidence: d.evidence ?? [], plan: [], ...(d.owner ? { owner: d.owner } : {}) } : null;
    byIndex.set(Number(match[1]), { index: Number(match[1]), status: data.status, reason: data.reason, actions: data.actions ?? [], cause: d?.cause ?? null, summary: d?.summary ?? null, diagnosis });
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

// The statuses after which the fan-out goes on (statemachines/remediate.asl.json BatchEnded).
const DONE: IncidentStatus[] = ['fixed', 'partially-fixed', 'verified-no-change', 'prevented'];

/** Instance actions as one line per type and result ("9,800 instances"); every other action once. */
export function summarizeActions(batches: BatchOutcome[]): ActionResult[] {
  const out: ActionResult[] = [];
  const counted = new Map<string, { result: ActionResult; count: number; first: string; last: string }>();
  const listed = new Set<string>();
  for (const a of batches.flatMap((b) => b.actions)) {
    // One result per instance would grow with the fleet: instance actions are counted per type and result.
    if (INSTANCE_ACTIONS.has(a.type)) {
      const key = `${a.type}|${a.result}`;
      const entry = counted.get(key);
      if (entry) {
        entry.count++;
        entry.last = a.target;
      } else {
        const result = { ...a };
        counted.set(key, { result, count: 1, first: a.target, last: a.target });
        out.push(result);
      }
      continue;
    }
    const key = `${a.type}|${a.target}|${a.result}`;
    if (!listed.has(key)) {
      listed.add(key);
      out.push(a);
    }
  }
  for (const { result, count, first, last } of counted.values()) {
    if (count === 1) continue;
    result.target = `${count.toLocaleString('en-US')} instances`;
    result.detail = `${first} … ${last}`;
  }
  return out;
}

/** The fleet's status: the first batch that did not end fixed or verified decides; else fixed when any batch changed something. */
export function fleetOutcome(state: WorkflowState, batches: BatchOutcome[]): RecordOutput & { cause: Cause | null } {
  const fleet = state.incident.fleet!;
  const actions = summarizeActions(batches);
  const cause = batches.find((b) => b.cause)?.cause ?? null;
  const instances = (n: number) => `${n.toLocaleString('en-US')} instance${n === 1 ? '' : 's'}`;
  const handled = Math.min(fleet.count, batches.length * fleet.batchSize);
  const stopped = batches.find((b) => !DONE.includes(b.status));
  if (stopped) {
    const left = fleet.count - Math.min(fleet.count, (stopped.index + 1) * fleet.batchSize);
    return {
      status: stopped.status, cause, actions,
      reason: `batch ${stopped.index + 1} of ${fleet.batches}: ${stopped.reason}${left > 0 ? `; the ${instances(left)} of the batches after it were not handled` : ''}`,
    };
  }
  if (state.error || batches.length < fleet.batches) {
    const why = state.error ? `${state.error.Error}: ${String(state.error.Cause ?? '').split('\n')[0]!.slice(0, 300)}` : 'the fan-out ended early';
    return { status: 'failed', cause, actions, reason: `${why}; ${batches.length} of ${fleet.batches} batches done (${instances(handled)} of ${fleet.count.toLocaleString('en-US')})` };
  }
  const changed = batches.some((b) => b.status !== 'verified-no-change');
  const status: IncidentStatus = batches.some((b) => b.status === 'partially-fixed') ? 'partially-fixed'
    : !changed ? 'verified-no-change'
    : batches.some((b) => b.status === 'fixed') ? 'fixed' : 'prevented';
  return {
    status,
    cause, actions,
    reason: `all ${fleet.batches} batches of ${fleet.batchSize} verified (${instances(fleet.count)}); ${batches.filter((b) => b.status !== 'verified-no-change').length} needed a change${status === 'partially-fixed' ? `, ${batches.filter((b) => b.status === 'partially-fixed').length} left part of it for a person` : ''}${goneNote(batches.flatMap((b) => b.actions))}`,
  };
}
