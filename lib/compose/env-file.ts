import { interpolateString } from './interpolate';

/** One line of an env file that could not be read. */
export interface EnvFileProblem {
  line: number;
  message: string;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Reads an env file (`.env`, `env_file:`) as Compose does: `KEY=value`, an optional `export `
 * prefix, `#` comments, single quotes literal, double quotes with `\n`/`\"` escapes, `${VAR}`
 * interpolated in unquoted and double-quoted values from `lookup` and the keys read before. A bare
 * `KEY` takes its value from `lookup` and is left out when that has none.
 */
export function parseEnvFile(text: string, lookup: Record<string, string>): { values: Record<string, string>; problems: EnvFileProblem[] } {
  const values: Record<string, string> = {};
  const problems: EnvFileProblem[] = [];
  // Keys read so far shadow the lookup, as in Compose; one scope object keeps this linear.
  const scope: Record<string, string> = { ...lookup };
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const line = raw.startsWith('export ') ? raw.slice(7).trimStart() : raw;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!KEY.test(key)) {
      problems.push({ line: n + 1, message: `${JSON.stringify(key)} is not a variable name` });
      continue;
    }
    if (eq < 0) {
      if (Object.hasOwn(lookup, key)) values[key] = lookup[key]!;
      continue;
    }
    let rest = line.slice(eq + 1).trimStart();
    const quote = rest[0];
    try {
      if (quote === "'" || quote === '"') {
        // A quoted value may span lines, up to the closing quote.
        let body = rest.slice(1);
        let close = findClose(body, quote);
        while (close < 0 && n + 1 < lines.length) {
          body += `\n${lines[++n]!}`;
          close = findClose(body, quote);
        }
        if (close < 0) throw new Error(`the ${quote} quote is not closed`);
        const inner = body.slice(0, close);
        values[key] = quote === "'" ? inner : interpolateString(unescape(inner), scope, new Set());
      } else {
        const hash = rest.search(/\s#/);
        if (hash >= 0) rest = rest.slice(0, hash);
        values[key] = interpolateString(rest.trim(), scope, new Set());
      }
      scope[key] = values[key]!;
    } catch (err) {
      problems.push({ line: n + 1, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { values, problems };
}

function findClose(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\([nrt"\\$])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? (c === '$' ? '$$' : c));
}
