/** Text rendering shared by simulate, demo, diagnose, audit and undo: timelines, tables, diagnoses. */
import type { Diagnosis } from '../core/incident.ts';
import type { SimulationReport, TimelineEntry } from '../local/run-scenario.ts';

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd()).join('\n');
}

export function seconds(s: number): string {
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** Short labels for incident keys in a timeline: #1, #2 … in order of appearance. */
export function incidentLabels(report: Pick<SimulationReport, 'incidents'>): Map<string, string> {
  // A key's follow-up execution (a later delivery window) keeps the label of its first one.
  const labels = new Map<string, string>();
  report.incidents.forEach((incident, i) => { if (!labels.has(incident.key)) labels.set(incident.key, `#${i + 1}`); });
  return labels;
}

export function timelineLine(entry: TimelineEntry, labels: Map<string, string>, width = 200): string {
  const t = `+${entry.t.toFixed(1)}s`.padStart(9);
  const who = entry.incident ? (labels.get(entry.incident) ?? entry.incident) : '';
  return clip(`${t}  ${who.padEnd(3)}  ${entry.step.padEnd(18)}  ${entry.text}`, width);
}

const QUIET_STEPS = new Set(['StartExecution', 'WaitForPropagation', 'PublishOutcome']);

/**
 * The timeline a person reads in the demo: the steps that say what was found and done, with a run of
 * identical fix lines (a scale-out of associations) folded into one line.
 */
export function shortTimeline(entries: TimelineEntry[], labels: Map<string, string>, width = 160): string[] {
  const lines: string[] = [];
  let run: { entry: TimelineEntry; count: number; what: string } | null = null;
  const flush = () => {
    if (!run) return;
    const text = run.count === 1 ? run.entry.text : `${run.count} × ${run.what}`;
    lines.push(timelineLine({ ...run.entry, text }, labels, width));
    run = null;
  };
  for (const entry of entries) {
    if (QUIET_STEPS.has(entry.step)) continue;
    const what = entry.step === 'ApplyAction' ? /^(\S+) \S+: (\S+)/.exec(entry.text) : null;
    const kind = what ? `${what[1]} ${what[2]}` : null;
    if (kind && run && run.what === kind && run.entry.incident === entry.incident) {
      run.count++;
      continue;
    }
    flush();
    if (kind) run = { entry, count: 1, what: kind };
    else lines.push(timelineLine(entry, labels, width));
  }
  flush();
  return lines;
}

/** The end of a `simulate` (or `remediate`: real time, `elapsed`) run: one block per incident, then the API counters. */
export function reportSummary(report: SimulationReport, time: 'simulated' | 'elapsed' = 'simulated'): string {
  const labels = incidentLabels(report);
  const refused = report.refusedEvents.length ? `, ${report.refusedEvents.length} refused event(s)` : '';
  const outside = report.outOfScope.length ? `, ${report.outOfScope.length} incident(s) out of scope` : '';
  const lines = [`${report.incidents.length} incident(s), ${report.ignoredEvents} ignored event(s)${refused}${outside}, ${report.stateTransitions} state transitions`];
  for (const incident of report.incidents) {
    lines.push(`${labels.get(incident.key)} ${incident.key}`);
    lines.push(`   events ${incident.events} · cause ${incident.cause} · status ${incident.status} · ${seconds(incident.simulatedSeconds)} ${time}`);
    if (incident.reason) lines.push(`   ${incident.reason}`);
    const done = new Map<string, number>();
    for (const a of incident.actions) done.set(`${a.type} ${a.result}`, (done.get(`${a.type} ${a.result}`) ?? 0) + 1);
    if (done.size) lines.push(`   actions: ${[...done].map(([what, n]) => (n > 1 ? `${n} × ${what}` : what)).join(', ')}`);
  }
  const { iamWrites, ec2Writes, reads, throttled } = report.api;
  lines.push(`API: ${iamWrites} IAM write(s), ${ec2Writes} EC2 write(s), ${reads} read(s), ${throttled} throttled`);
  return lines.join('\n');
}

/** A diagnosis as `diagnose` prints it: cause, summary, evidence, plan. */
export function diagnosisText(d: Diagnosis): string {
  const s = d.subject;
  const lines = [
    `cause:    ${d.cause}`,
    `summary:  ${d.summary}`,
    `subject:  account ${s.accountId} ${s.region}; role ${s.roleArn ?? s.roleName ?? '-'}; instance(s) ${s.instanceIds.join(', ') || '-'}${s.action ? `; action ${s.action}` : ''}${s.resource ? ` on ${s.resource}` : ''}`,
    `          credentials delivered by EC2: ${s.ec2Delivered ? 'yes' : 'no (never changed automatically)'}`,
  ];
  if (d.owner) lines.push(`owner:    ${d.owner}`);
  lines.push('evidence:');
  for (const e of d.evidence) lines.push(`  - ${e.kind}: ${e.summary}`);
  lines.push(d.plan.length ? 'plan:' : 'plan:     nothing to change');
  for (const p of d.plan) lines.push(`  - ${p.type} ${p.target}: ${p.reason}`);
  return lines.join('\n');
}
