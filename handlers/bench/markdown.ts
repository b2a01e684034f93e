/** Markdown tables for the benchmark report. */

export type Cell = string | number | boolean | null | undefined;

function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  return value.replace(/\|/g, '\\|');
}

export function markdownTable(headers: string[], rows: Cell[][]): string {
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(formatCell).join(' | ')} |`);
  return lines.join('\n');
}

/** "met" / "NOT met" as the report shows a target verdict. */
export function verdict(met: boolean | null): string {
  if (met === null) return 'n/a';
  return met ? 'met' : 'NOT met';
}
