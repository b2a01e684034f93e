/** Change budgets and per-role locks in memory: one simulated run, or tests. */
import type { ChangeBudgetPort, ChangeKind, LockPort } from '../../core/ports.ts';

function hourOf(at: Date): string {
  return at.toISOString().slice(0, 13);
}

export class MemoryChangeBudget implements ChangeBudgetPort {
  private readonly counts = new Map<string, number>();

  async used(accountId: string, kind: ChangeKind, at: Date): Promise<number> {
    return this.counts.get(`${accountId}|${kind}|${hourOf(at)}`) ?? 0;
  }

  async consume(accountId: string, kind: ChangeKind, count: number, limit: number, at: Date): Promise<boolean> {
    const key = `${accountId}|${kind}|${hourOf(at)}`;
    const used = this.counts.get(key) ?? 0;
    if (used + count > limit) return false;
    this.counts.set(key, used + count);
    return true;
  }

  async release(accountId: string, kind: ChangeKind, count: number, at: Date): Promise<void> {
    const key = `${accountId}|${kind}|${hourOf(at)}`;
    this.counts.set(key, Math.max(0, (this.counts.get(key) ?? 0) - count));
  }
}

export class MemoryLock implements LockPort {
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();

  async acquire(key: string, owner: string, ttlSeconds: number, at: Date): Promise<boolean> {
    const lease = this.leases.get(key);
    if (lease && lease.owner !== owner && lease.expiresAt > at.getTime()) return false;
    this.leases.set(key, { owner, expiresAt: at.getTime() + ttlSeconds * 1000 });
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.leases.get(key)?.owner === owner) this.leases.delete(key);
  }

  holder(key: string): string | null {
    return this.leases.get(key)?.owner ?? null;
  }
}
