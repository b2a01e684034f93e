/** The simulated account as a scenario run left it: `undo --scenario` and the tests continue from there. */
import { SimulatedAccount, parseScenario, type Scenario } from '../adapters/simulated/index.ts';
import type { SimulationReport } from '../local/run-scenario.ts';

/** A fresh account whose state is the run's final state, its clock at the time the run ended, no faults left. */
export function accountAfterRun(scenario: Scenario, report: Pick<SimulationReport, 'account' | 'timeline'>, source = scenario.name): SimulatedAccount {
  const endedAt = report.timeline.at(-1)?.at;
  const after = parseScenario(
    { name: scenario.name, account: report.account, physics: { ...scenario.physics, faults: [], startTime: endedAt }, config: scenario.config, approvals: scenario.approvals, events: [] },
    source,
  );
  return new SimulatedAccount(after);
}
