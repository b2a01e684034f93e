/** `iam-autoheal triage <file…> [--json]`: classify CloudTrail records offline, no AWS calls. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from './errors.ts';
import { classifyDelivered, EventInputError, extractDelivered, incidentKey } from '../core/events/index.ts';
import type { Classification, RecordKind } from '../core/events/index.ts';

interface Triaged {
  file: string;
  classification: Classification;
}

const KINDS: readonly RecordKind[] = ['access-denied', 'launch', 'change', 'ignored'];

async function readRecords(file: string): Promise<Triaged[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InputError(`${file}: cannot read: ${problem}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: invalid JSON: ${(err as Error).message}`);
  }
  try {
    const records = extractDelivered(doc, file);
    if (records.length === 0) throw new InputError(`${file}: holds no CloudTrail record`);
    return records.map((delivered) => ({ file, classification: classifyDelivered(delivered) }));
  } catch (err) {
    if (err instanceof EventInputError) throw new InputError(err.message);
    throw err;
  }
}

/** What the DETAIL column says for each kind. */
function detailOf(c: Classification): string {
  if (c.kind === 'access-denied' && c.denial) {
    const how = c.denial.explicit === true ? 'explicit deny' : c.denial.explicit === false ? 'no allow' : 'reason not stated';
    const where = c.denial.policyType ? ` in ${c.denial.policyType}` : '';
    const encoded = c.denial.encodedMessage ? `, encoded message${c.denial.encodedTruncated ? ' (truncated)' : ''}` : '';
    const delivery = c.principal.ec2RoleDelivery ? '' : ', no ec2RoleDelivery';
    return `${how}${where}${encoded}${delivery}`;
  }
  if (c.kind === 'launch' && c.launch) {
    const l = c.launch;
    const template = l.launchTemplate ? ` template ${l.launchTemplate.launchTemplateId ?? l.launchTemplate.launchTemplateName}` : '';
    const group = l.autoScalingGroup ? ` asg ${l.autoScalingGroup}` : l.viaAutoScaling ? ' via Auto Scaling' : '';
    return `${l.instanceIds.length} instance(s), profile ${l.instanceProfile ?? 'NONE'}${template}${group}`;
  }
  if (c.kind === 'change' && c.change) {
    return `${c.change.resourceType} ${c.change.resource ?? '?'}${c.change.breaking ? ' (breaking)' : ''}`;
  }
  return c.reason;
}

function principalLabel(c: Classification): string {
  const p = c.principal;
  if (p.instanceId) return `${p.roleName ?? '?'} @ ${p.instanceId}`;
  if (p.roleName) return `${p.type ?? '?'} ${p.roleName}`;
  return [p.type, p.sessionName].filter(Boolean).join(' ') || '-';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join('  ')).join('\n');
}

function summary(results: Triaged[]): string {
  const counts = new Map<RecordKind, number>(KINDS.map((k) => [k, 0]));
  for (const { classification } of results) counts.set(classification.kind, (counts.get(classification.kind) ?? 0) + 1);
  const keys = new Set(results.map((r) => incidentKey(r.classification)).filter((k) => k !== null));
  const parts = KINDS.map((k) => `${counts.get(k)} ${k}`).join(', ');
  const refused = results.filter((r) => r.classification.rejection).length;
  const refusedPart = refused ? ` (${refused} refused as input: forged envelope, malformed or foreign account)` : '';
  return `${results.length} record(s): ${parts}${refusedPart}; ${keys.size} incident(s)`;
}

export function registerTriage(program: Command): void {
  program
    .command('triage')
    .description('Classify CloudTrail records offline (no AWS calls): access-denied, launch, change or ignored, with the reason.')
    .argument('<file...>', 'CloudTrail record, EventBridge event, or log file {"Records": [...]} (JSON)')
    .option('--json', 'one JSON object per record (JSON lines)')
    .addHelpText('after', '\nExit codes: 0 classified, 2 bad input (unreadable file, invalid JSON, no CloudTrail record).')
    .action(async (files: string[], options: { json?: boolean }) => {
      // Read everything first: bad input fails the command before any output.
      const results: Triaged[] = [];
      for (const file of files) results.push(...(await readRecords(file)));
      if (options.json) {
        // The contract's fields, plus the incident the record would start or join (null for none).
        const lines = results.map((r) => JSON.stringify({ ...r.classification, incidentKey: incidentKey(r.classification) }));
        process.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      const rows = [['FILE', 'KIND', 'TIME', 'ACTION', 'PRINCIPAL', 'DETAIL']];
      for (const { file, classification: c } of results) {
        const name = file.slice(file.lastIndexOf('/') + 1);
        rows.push([name, c.kind, c.eventTime ?? '-', c.action ?? '-', principalLabel(c), detailOf(c)]);
      }
      process.stdout.write(`${table(rows)}\n\n${summary(results)}\n`);
    });
}
