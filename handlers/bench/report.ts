/** The benchmark's markdown report: one table per measurement, the machine, the targets met or not. */
import { COLD_START_TARGETS } from './cold-start.ts';
import { isSectionError, type BenchResults, type SectionError } from './index.ts';
import { markdownTable, verdict } from './markdown.ts';
import { describePrices } from './pricing.ts';
import { TTR_TARGET_RATIO } from './time-to-remediate.ts';
import { PREVENTION_MODEL } from './prevention.ts';
import { STEP_FUNCTIONS_LIMITS } from './fleet-scale.ts';

type Sections = Omit<BenchResults, 'benchmark' | 'startedAt' | 'finishedAt' | 'wallSeconds' | 'quick' | 'sizes' | 'machine'>;

function failed(section: SectionError): string {
  return `**Not measured:** ${section.error}`;
}

function amplification(s: Sections['amplification']): string {
  if (isSectionError(s)) return failed(s);
  const rows = s.rows.map((r) => [
    r.scenario,
    r.events,
    r.inputs.instances,
    r.incidents,
    `${r.executions} (SQS: ${r.sqs.batches} batches → ${r.sqs.startExecutionCalls} starts → ${r.sqs.executionsStarted} started${r.sqs.followUps ? ` (${r.sqs.followUps} follow-up for late instances)` : ''}, ${r.sqs.duplicateStarts} no-ops)`,
    r.rootCauses,
    `${r.iamWrites} (needed ${r.iamWritesNeeded})`,
    `${r.ec2Writes} (≤ ${r.ec2WritesBound})`,
    `${r.leftBroken} ${r.leftBrokenWhat}`,
    r.causes.join(', '),
    r.statuses.join(', '),
    r.wallSeconds,
    verdict(r.met),
  ]);
  return [
    markdownTable(['scenario', 'events', 'instances', 'incidents', 'executions', 'root causes', 'IAM writes', 'EC2 writes', 'left broken', 'cause', 'status', 'wall s', 'target'], rows),
    '',
    'Executions: the local runner\'s (every event through intake at once); in brackets the same events through the intake step in SQS batches, ' +
      'as deployed: each batch starts its incident again and the deterministic execution name makes the repeats no-ops (the running execution covers their events); ' +
      'a later batch with instances the running execution never saw starts one follow-up execution for them rather than leaving them to the sweep. ' +
      'Left broken: read from the account at the end of the run, so that few writes cannot pass for few fixes. Wall s: the runner alone, on this machine.',
  ].join('\n');
}

function timeToRemediate(s: Sections['timeToRemediate']): string {
  if (isSectionError(s)) return failed(s);
  const run = (r: { seconds: number | null; verifyInvocations: number }, ratio: number | null) =>
    r.seconds === null ? 'not verified' : `${r.seconds} s (${ratio}×, ${r.verifyInvocations} verify)`;
  const rows = s.rows.map((r) => [
    r.propagationSeconds,
    r.adaptive.stepLatencySeconds,
    r.floorSeconds,
    run(r.adaptive, r.adaptiveRatio),
    run(r.fixed, r.fixedRatio),
    run(r.capped, r.cappedRatio),
    verdict(r.met),
  ]);
  const fixed = s.inputs.fixedConfig.propagation.firstWaitSeconds;
  return [
    markdownTable(['propagation s', 'step latency s', 'floor s', 'adaptive (default)', `fixed ${fixed} s wait`, 'what-if: waits capped at 5 s', `adaptive ≤ ${TTR_TARGET_RATIO}× floor`], rows),
    '',
    s.method,
  ].join('\n');
}

function cost(s: Sections['cost']): string {
  if (isSectionError(s)) return failed(s);
  const rows = s.rows.map((r) => [r.cause, r.scenario, r.status, r.events, r.stateTransitions, r.lambdaInvocations, r.intakeInvocations, `$${r.usdPer1000Incidents.toFixed(3)}`]);
  return [
    markdownTable(['cause', 'scenario', 'status', 'events', 'state transitions', 'workflow Lambda invocations', 'intake invocations', '$ per 1,000 incidents'], rows),
    '',
    `Mean: $${s.meanUsdPer1000Incidents.toFixed(3)} per 1,000 incidents. Prices: ${describePrices(s.prices)}`,
    '',
    s.method,
  ].join('\n');
}

function intakeSpeed(s: Sections['intakeSpeed']): string {
  if (isSectionError(s)) return failed(s);
  const kinds = Object.entries(s.kinds).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ');
  return [
    markdownTable(
      ['records', 'fixtures', 'wall s', 'records/s wall', 'records per CPU second', 'records/s wall without JSON.parse', `≥ ${s.target.toLocaleString('en-US')}/s on one core`],
      [[s.inputs.records, s.inputs.fixtures, s.seconds, s.recordsPerSecond, s.recordsPerCpuSecond, s.recordsPerSecondWithoutJsonParse, verdict(s.met)]],
    ),
    '',
    `Work per record: JSON.parse of the message, extractRecords, classify, incidentKey. One thread, after ${s.inputs.warmupRecords.toLocaleString('en-US')} warm-up records; the target is judged on the better of the wall rate (which the machine's load lowers) and the rate per CPU second (user + system, garbage collector threads included). Mix: ${kinds}; ${s.keyed.toLocaleString('en-US')} records got an incident key.`,
  ].join('\n');
}

function coldStart(s: Sections['coldStart']): string {
  if (isSectionError(s)) return failed(s);
  const withSdk = s.options.sdkFromRuntimeVariant;
  const rows = s.rows.map((r) => {
    if (r.error) return [r.entry, '–', '–', '–', '–', '–', '–', ...(withSdk ? ['–'] : []), `error: ${r.error}`];
    const largest = r.largestPackages.map((p) => `${p.package} ${p.kb}`).join(', ');
    const sdk = r.sdkFromRuntime ? [`${r.sdkFromRuntime.bundleKb} KB, ${r.sdkFromRuntime.importMsMedian} ms (CPU ${r.sdkFromRuntime.importCpuMsMedian})`] : [];
    return [r.entry, r.bundleKb, r.lazyKb, r.sourcemapKb, `${r.importMsMedian} (${r.importMsMin}–${r.importMsMax})`, r.importCpuMsMedian, largest, ...sdk, verdict(r.withinTarget)];
  });
  const o = s.options.esbuild;
  const headers = ['step', 'bundle KB', 'on first use KB', 'map KB', `import wall ms, median of ${s.options.runs} (min–max)`, 'import CPU ms', 'largest packages (KB)'];
  if (withSdk) headers.push('variant: SDK from the runtime');
  headers.push(`≤ ${COLD_START_TARGETS.maxBundleKb} KB and ≤ ${COLD_START_TARGETS.maxImportMs} ms`);
  return [
    markdownTable(headers, rows),
    '',
    `esbuild: ${Object.entries(o).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}. ` +
      'Bundle KB: what a cold start imports (the entry and the chunks it imports statically), without the source maps (a deployed function reads them only with NODE_OPTIONS=--enable-source-maps, which the stack does not set); on first use KB: the chunks behind dynamic imports (the SDK\'s credential providers a Lambda never uses, the adapters of the CloudTrail, STS and Auto Scaling ports), read only by an invocation that calls them; each import runs in a fresh `node`, Node startup excluded; ' +
      'the AWS SDK clients a step uses are inside its bundle (tree-shaken); in the comparison variant they are external (@aws-sdk/*) and load from node_modules as the runtime loads its own copy. The target is judged on the lesser of wall ms (which the machine\'s load inflates) and CPU ms (user + system of all of Node\'s threads, which exceeds wall on an idle machine)' +
      (s.options.concurrent ? ' (this run timed the steps side by side, one per core: wall times are higher still).' : '.'),
  ].join('\n');
}

function prevention(s: Sections['prevention']): string {
  if (isSectionError(s)) return failed(s);
  const repaired = (seconds: number | null) => (seconds === null ? 'never' : `${seconds} s`);
  const rows = s.rows.map((r) => [
    r.instances,
    `${r.on.status} (${r.on.cause})`, repaired(r.on.repairedAtSeconds), r.on.denials, r.on.secondsBroken,
    `${r.off.status} (${r.off.cause})`, repaired(r.off.repairedAtSeconds), r.off.denials, r.off.secondsBroken,
    r.denialsAvoided,
  ]);
  return [
    markdownTable(['scale-out N', 'on: status', 'on: repaired after change', 'on: denials', 'on: s broken', 'off: status', 'off: repaired after change', 'off: denials', 'off: s broken', 'denials avoided'], rows),
    '',
    s.method,
  ].join('\n');
}

function fleetScale(s: Sections['fleetScale']): string {
  if (isSectionError(s)) return failed(s);
  const rows = s.rows.map((r) => [
    r.instances, r.ec2Budget, r.approvals, r.incidents, r.executions, r.status,
    `${r.parentStateKiB} · ${r.largestStateKiB} / ${s.limits.stateKiB}`, r.stateTransitions, `${r.parentHistoryEvents} · ${r.historyEvents} / ${s.limits.historyEvents}`,
    r.ec2Writes, r.simulatedSeconds === null ? 'not all verified' : `${r.simulatedSeconds} s`, r.leftBroken, r.wallSeconds, verdict(r.withinLimits && r.leftBroken === 0),
  ]);
  return [
    markdownTable(['instances', 'EC2 budget', 'approvals', 'incidents', 'executions', 'status', 'largest state KiB: own · child / limit', 'state transitions', 'history events: own · child / limit', 'EC2 writes', 'all verified (simulated)', 'left broken', 'wall s', 'within limits, none broken'], rows),
    '',
    s.method,
  ].join('\n');
}

function targetLine(name: string, section: { met: boolean } | SectionError): string {
  return `- ${name}: ${isSectionError(section) ? 'not measured' : verdict(section.met)}`;
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  return [
    `# iam-autoheal benchmark (${r.quick ? 'quick' : 'full'} run)`,
    '',
    `${r.startedAt} · ${r.wallSeconds} s · ${m.nproc} × ${m.cpuModel} · ${m.memoryGiB} GiB · Node ${m.node} · ${m.platform} ${m.arch} · load average ${m.loadAverage1m.join(' → ')}`,
    '',
    '## Targets',
    '',
    targetLine('Storm amplification (executions = incidents = root causes, IAM writes = needed, EC2 writes ≤ instances + template fix)', r.amplification),
    targetLine(`Time to remediate within ${Math.round((TTR_TARGET_RATIO - 1) * 100)}% of propagation + step latency`, r.timeToRemediate),
    targetLine('Intake ≥ 50,000 records/s on one core', r.intakeSpeed),
    targetLine(`Cold start ≤ ${COLD_START_TARGETS.maxBundleKb} KB and ≤ ${COLD_START_TARGETS.maxImportMs} ms import per step`, r.coldStart),
    targetLine(`Prevention: a drift repaired before a scale-out ${PREVENTION_MODEL.scaleOutAfterSeconds} s later, no denial`, r.prevention),
    targetLine(`Fleet scale: a scale-out fixed in one incident, largest state < ${STEP_FUNCTIONS_LIMITS.stateKiB} KiB, history < ${STEP_FUNCTIONS_LIMITS.historyEvents.toLocaleString('en-US')} events`, r.fleetScale),
    '',
    '## 1. Storm amplification',
    '',
    amplification(r.amplification),
    '',
    '## 2. Time to remediate (simulated clock, event → verified)',
    '',
    timeToRemediate(r.timeToRemediate),
    '',
    '## 3. Cost per incident',
    '',
    cost(r.cost),
    '',
    '## 4. Intake speed',
    '',
    intakeSpeed(r.intakeSpeed),
    '',
    '## 5. Lambda cold start',
    '',
    coldStart(r.coldStart),
    '',
    '## 6. Prevention (drift, then a scale-out: prevention on vs off)',
    '',
    prevention(r.prevention),
    '',
    '## 7. Fleet scale (one incident of N instances, against the Step Functions limits)',
    '',
    fleetScale(r.fleetScale),
  ].join('\n');
}
