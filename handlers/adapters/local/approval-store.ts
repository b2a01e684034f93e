/**
 * ApprovalStorePort in memory (the simulation, tests): the same conditions as the DynamoDB adapter — one answer per
 * request, none after its expiry — checked and written in one synchronous step, as a conditional write is.
 */
import type { ApprovalStorePort, RecordedAnswer, StoredApproval } from '../../core/ports.ts';

const keyOf = (incidentKey: string, approvalId: string) => `${incidentKey}\u0000${approvalId}`;

export class MemoryApprovalStore implements ApprovalStorePort {
  private readonly items = new Map<string, StoredApproval>();

  /** Every stored request (tests look for tokens in them). */
  all(): StoredApproval[] {
    return [...this.items.values()].map((a) => structuredClone(a));
  }

  async put(approval: StoredApproval): Promise<void> {
    const key = keyOf(approval.incidentKey, approval.approvalId);
    if (!this.items.has(key)) this.items.set(key, structuredClone(approval));
  }

  async get(incidentKey: string, approvalId: string): Promise<StoredApproval | null> {
    const item = this.items.get(keyOf(incidentKey, approvalId));
    return item ? structuredClone(item) : null;
  }

  async listIncident(incidentKey: string): Promise<StoredApproval[]> {
    return [...this.items.values()].filter((a) => a.incidentKey === incidentKey).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)).map((a) => structuredClone(a));
  }

  async claim(incidentKey: string, approvalId: string, answer: RecordedAnswer): Promise<{ recorded: true } | { recorded: false; current: StoredApproval | null }> {
    const item = this.items.get(keyOf(incidentKey, approvalId));
    if (!item || item.answer !== null || Date.parse(answer.at) >= Date.parse(item.expiresAt)) return { recorded: false, current: item ? structuredClone(item) : null };
    item.answer = structuredClone(answer);
    return { recorded: true };
  }

  async release(incidentKey: string, approvalId: string, answer: RecordedAnswer): Promise<void> {
    const item = this.items.get(keyOf(incidentKey, approvalId));
    if (item?.answer && item.answer.by === answer.by && item.answer.at === answer.at) item.answer = null;
  }

  async forgetToken(incidentKey: string, approvalId: string): Promise<void> {
    const item = this.items.get(keyOf(incidentKey, approvalId));
    if (item) item.taskToken = null;
  }
}
