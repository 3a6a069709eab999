import type { ApiError } from './http';

/** Renders rows as an aligned text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** A duration in seconds the way people read it. */
export function seconds(n: number): string {
  if (n === 0) return 'never';
  if (n % 3600 === 0) return `${n / 3600}h`;
  if (n % 60 === 0) return `${n / 60}m`;
  return `${n}s`;
}

/** An API problem as lines for a terminal: detail, then each field with its line and hint. */
export function problemText(err: ApiError): string {
  const out = [`error: ${err.problem.detail ?? err.message}${err.problem.code ? ` (${err.problem.code})` : ''}`];
  for (const e of err.problem.errors ?? []) {
    const where = e.line ? ` (line ${e.line}${e.column ? `, column ${e.column}` : ''})` : '';
    out.push(`  ${e.field}${where}: ${e.message}`);
    if (e.hint) out.push(`    hint: ${cliHint(e.hint)}`);
  }
  return out.join('\n');
}

/** The API's hints show request bodies; on the command line the same advice is a flag. */
function cliHint(hint: string): string {
  return hint.replace(/in the request body: \{"options": \{"([A-Z0-9_]+)": "<value>"\}\}/g, 'with -o $1=<value>');
}
