/**
 * Prevention: a drift followed by a scale-out. A deploy rewrites the inline policy of `checkout` without the
 * DynamoDB statement that expectedPermissions declares (PutRolePolicy); minutes later the group scales out by N
 * instances that call the table every few seconds. The same runner and account, with drift incidents on (the change
 * record starts a repair) and off (the first denials do, as before): instance-role denials and seconds broken.
 */
import { parseScenario } from '../adapters/simulated/scenario.ts';
import { runScenario, type SimulationReport } from '../local/run-scenario.ts';
import { iamChange, isoPlus } from '../../scripts/cloudtrail-records.ts';
import { denialStormScenario, type GeneratedScenario } from './storm-scenarios.ts';
import { round } from './numbers.ts';

/** The model's timings (seconds after the change). */
export const PREVENTION_MODEL = {
  /** CloudTrail → EventBridge → queue, for the change and for the denials alike. */
  deliverySeconds: 60,
  scaleOutAfterSeconds: 300,
  callIntervalSeconds: 5,
  propagationSeconds: 5,
} as const;

export const PREVENTION_METHOD =
  `Model: at t = 0 a deploy (PutRolePolicy) rewrites checkout-app, the inline policy of role checkout, without the DynamoDB statement that expectedPermissions declares; ` +
  `at t = ${PREVENTION_MODEL.scaleOutAfterSeconds} s the group scales out by N instances, each calling the table every ${PREVENTION_MODEL.callIntervalSeconds} s; ` +
  `every CloudTrail record reaches the queue ${PREVENTION_MODEL.deliverySeconds} s after it happened; IAM propagation ${PREVENTION_MODEL.propagationSeconds} s; missing-permission in auto mode in both runs (approve would add a person's answer time to both). ` +
  'Each row runs the real workflow twice on the simulated account: prevention on (drift.enabled, the default: the change record starts the repair) and off (drift.enabled false: the change is evidence, the first round of denials starts the incident). ' +
  'Repaired = the simulated time Verify succeeds. Denials = the calls the N instances make between the scale-out and the repair (every one of them is an AccessDenied in CloudTrail); seconds broken = scale-out → repair (0 when the repair came first).';

export interface PreventionRun {
  status: string;
  cause: string;
  /** Seconds after the change at which the repair was verified (null: never). */
  repairedAtSeconds: number | null;
  denials: number;
  secondsBroken: number;
}

export interface PreventionRow {
  instances: number;
  on: PreventionRun;
  off: PreventionRun;
  denialsAvoided: number;
}

export interface PreventionResult {
  model: typeof PREVENTION_MODEL;
  method: string;
  rows: PreventionRow[];
  /** Prevention on repaired before the scale-out in every row: no denial at all. */
  met: boolean;
}

const DECLARED = (accountId: string, region: string) => ({
  Sid: 'CheckoutOrdersTable', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  Resource: `arn:aws:dynamodb:${region}:${accountId}:table/checkout-orders`,
});

/** The storm's account and denials, reshaped: the declared statement lived in an inline policy the deploy rewrote. */
function driftThenScaleOut(instances: number, prevention: boolean): { json: GeneratedScenario; changeAt: number } {
  const storm = denialStormScenario({ events: instances, instances, windowSeconds: 1, propagationSeconds: PREVENTION_MODEL.propagationSeconds });
  const { accountId, region } = storm.account;
  const firstDenial = Date.parse(storm.events[0]!.eventTime);
  const changeAt = firstDenial - PREVENTION_MODEL.scaleOutAfterSeconds * 1000;
  const rewritten = { Version: '2012-10-17', Statement: [{ Sid: 'CheckoutEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:${region}:${accountId}:event-bus/default` }] };
  const change = iamChange({
    operator: { accountId, userName: 'deploy-pipeline', sourceIPAddress: '203.0.113.44' }, eventName: 'PutRolePolicy',
    requestParameters: { roleName: 'checkout', policyName: 'checkout-app', policyDocument: JSON.stringify(rewritten) },
    eventTime: new Date(changeAt).toISOString().replace('.000Z', 'Z'), seed: 'bench-prevention-put',
  });
  const trigger = prevention ? changeAt : firstDenial;
  const json: GeneratedScenario = {
    ...storm,
    name: `prevention ${prevention ? 'on' : 'off'}: inline policy rewritten, then a scale-out of ${instances}`,
    account: {
      ...storm.account,
      roles: storm.account.roles.map((r: Record<string, unknown>) => ({ ...r, inlinePolicies: { 'checkout-app': rewritten } })),
      policies: [],
    },
    physics: { ...storm.physics, startTime: isoPlus(new Date(trigger).toISOString(), PREVENTION_MODEL.deliverySeconds) },
    config: {
      ...storm.config,
      expectedPermissions: [{ role: 'checkout', statements: [DECLARED(accountId, region)] }],
      drift: { enabled: prevention },
    },
    // With prevention the denials never happen; without it the first round of them is what starts the incident.
    events: prevention ? [change] : [change, ...storm.events],
  };
  return { json, changeAt };
}

function runOf(report: SimulationReport, changeAt: number, instances: number): PreventionRun {
  const incident = report.incidents[0];
  if (!incident || report.incidents.length !== 1) throw new Error(`expected one incident, got ${report.incidents.length}`);
  const verified = report.timeline.find((t) => t.incident === incident.key && t.step === 'Verify' && t.text.startsWith('verified'));
  const repairedAtSeconds = verified ? round((Date.parse(verified.at) - changeAt) / 1000, 1) : null;
  const scaleOut = PREVENTION_MODEL.scaleOutAfterSeconds;
  const broken = repairedAtSeconds === null ? Infinity : Math.max(0, repairedAtSeconds - scaleOut);
  const rounds = Number.isFinite(broken) ? Math.ceil(broken / PREVENTION_MODEL.callIntervalSeconds) : Infinity;
  return { status: incident.status, cause: incident.cause, repairedAtSeconds, denials: instances * rounds, secondsBroken: round(broken, 1) };
}

async function measure(instances: number, prevention: boolean): Promise<PreventionRun> {
  const { json, changeAt } = driftThenScaleOut(instances, prevention);
  return runOf(await runScenario(parseScenario(json, `bench prevention (${prevention ? 'on' : 'off'}, ${instances})`)), changeAt, instances);
}

export async function measurePrevention(sizes: number[], progress: (line: string) => void): Promise<PreventionResult> {
  const rows: PreventionRow[] = [];
  for (const instances of sizes) {
    const on = await measure(instances, true);
    const off = await measure(instances, false);
    rows.push({ instances, on, off, denialsAvoided: off.denials - on.denials });
    progress(`prevention: scale-out of ${instances} → on: ${on.status} at ${on.repairedAtSeconds} s, ${on.denials} denials; off: ${off.status} at ${off.repairedAtSeconds} s, ${off.denials} denials`);
  }
  return { model: PREVENTION_MODEL, method: PREVENTION_METHOD, rows, met: rows.every((r) => r.on.status === 'prevented' && r.on.denials === 0) };
}
