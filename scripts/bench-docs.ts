/**
 * Puts a full benchmark run into docs/PERFORMANCE.md, between its `bench:begin` / `bench:end` markers.
 * Run: npm run bench, then npx tsx scripts/bench-docs.ts [bench-results/bench-….json] (default: the newest).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from '../handlers/bench/index.ts';
import { PROJECT_ROOT } from '../handlers/bench/project.ts';
import { renderReport } from '../handlers/bench/report.ts';

const DOC = join(PROJECT_ROOT, 'docs', 'PERFORMANCE.md');
const BEGIN = '<!-- bench:begin (scripts/bench-docs.ts writes this part) -->';
const END = '<!-- bench:end -->';

function newestResults(): string {
  const dir = join(PROJECT_ROOT, 'bench-results');
  const files = readdirSync(dir).filter((f) => /^bench-.*\.json$/.test(f)).sort();
  if (files.length === 0) throw new Error(`no results in ${dir}: run npm run bench first`);
  return join(dir, files.at(-1)!);
}

const file = process.argv[2] ?? newestResults();
const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
if (results.quick) throw new Error(`${file} is a --quick run; the document shows full runs`);
const m = results.machine;
// The report without its title and one-line header: the machine paragraph says it in words.
const body = renderReport(results)
  .split('\n')
  .slice(3)
  .map((line) => (line.startsWith('## ') ? `#${line}` : line))
  .join('\n')
  .trim();
const block = [
  BEGIN,
  '## Machine of the latest full run',
  '',
  `${m.nproc} vCPU (\`nproc\`), ${m.cpuModel} (\`/proc/cpuinfo\` model name), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform} ${m.arch}; ` +
    `1-minute load average ${m.loadAverage1m.join(' at the start, ')} at the end. Run of ${results.startedAt}, ${results.wallSeconds} s.`,
  '',
  '## Latest full run',
  '',
  body,
  END,
].join('\n');

const doc = readFileSync(DOC, 'utf8');
const start = doc.indexOf(BEGIN);
const end = doc.indexOf(END);
if (start < 0 || end < start) throw new Error(`${DOC}: the bench:begin / bench:end markers are missing`);
writeFileSync(DOC, doc.slice(0, start) + block + doc.slice(end + END.length));
process.stdout.write(`${DOC}: updated from ${file}\n`);
