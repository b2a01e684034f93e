/**
 * Lambda crashes for the local runner: the audit store as a crashing Lambda would see it. After a crash
 * (injected around an AWS call by the simulated account, or right after an audit record) nothing of that
 * invocation reaches the account or the trail any more; the next invocation (a Step Functions retry) runs normally.
 */
import { LambdaCrash, type SimulatedAccount } from '../adapters/simulated/index.ts';
import type { AuditPhase, AuditRecord, AuditStore } from '../core/audit-record.ts';

/** Crash right after the audit record of this phase (and action, when given) is stored, `times` times. */
export interface AuditCrash {
  phase: AuditPhase;
  action?: string;
  times: number;
}

export class CrashingAuditStore implements AuditStore {
  private readonly crashes: AuditCrash[];

  constructor(private readonly inner: AuditStore, private readonly account: SimulatedAccount, crashes: AuditCrash[] = []) {
    this.crashes = crashes.map((c) => ({ ...c }));
  }

  private alive(): void {
    if (this.account.crashed) throw new LambdaCrash('the invocation has crashed');
  }

  async append(incidentKey: string, build: (sequence: number) => AuditRecord): Promise<AuditRecord> {
    this.alive();
    const record = await this.inner.append(incidentKey, build);
    const crash = this.crashes.find((c) => c.times > 0 && c.phase === record.phase && (!c.action || c.action === record.action));
    if (crash) {
      crash.times -= 1;
      this.account.crashNow(`after audit record ${record.step} (${record.action} ${record.target})`);
    }
    return record;
  }

  async listIncident(incidentKey: string): Promise<AuditRecord[]> {
    this.alive();
    return this.inner.listIncident(incidentKey);
  }

  async lastOfExecution(incidentKey: string, executionName: string): Promise<AuditRecord | null> {
    this.alive();
    return this.inner.lastOfExecution(incidentKey, executionName);
  }

  async listIncidents(limit?: number) {
    return this.inner.listIncidents(limit);
  }
}
