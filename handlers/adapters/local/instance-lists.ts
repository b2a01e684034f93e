/** Instance lists in memory: one simulated run, or tests (the state table's `instances#` items in AWS). */
import type { InstanceListPort } from '../../core/ports.ts';

export class MemoryInstanceLists implements InstanceListPort {
  private readonly lists = new Map<string, string[][]>();

  async put(list: string, ids: string[], pageSize: number, _expiresAt: Date): Promise<void> {
    if (this.lists.has(list)) return;
    const pages: string[][] = [];
    for (let start = 0; start < ids.length; start += pageSize) pages.push(ids.slice(start, start + pageSize));
    this.lists.set(list, pages);
  }

  async page(list: string, index: number): Promise<string[] | null> {
    const page = this.lists.get(list)?.[index];
    return page ? [...page] : null;
  }

  /** Pages stored under `list` (tests). */
  pages(list: string): number {
    return this.lists.get(list)?.length ?? 0;
  }
}
