/** Runs one built-in scenario with an in-memory audit trail: the report, the trail, and the account after the run. */
import { join } from 'node:path';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import { ROOT } from '../cli/run-cli.ts';

export async function runBuiltin(name: string) {
  const s = loadScenarioFile(join(ROOT, `scenarios/${name}.json`));
  const audit = new MemoryAuditStore();
  const report = await runScenario(s, { audit });
  return { s, audit, report, account: accountAfterRun(s, report) };
}
