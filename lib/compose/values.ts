/** A value that could not be read, with the reason. */
export class ValueError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };
const DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|h|m|s))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|h|m|s)/g;

/**
 * A Compose duration (Go's `time.ParseDuration`: `1m30s`, `10s`, `1.5h`, `500ms`; `0` alone) in
 * whole milliseconds, rounded up.
 */
export function parseComposeDuration(text: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  if (!DURATION.test(t)) throw new ValueError(`${JSON.stringify(text)} is not a duration`, 'Write a duration such as 10s, 1m30s, 500ms or 1h.');
  let ms = 0;
  for (const m of t.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.ceil(Math.round(ms * 1000) / 1000);
}

const OPERATORS = new Set([';', '&', '|', '<', '>', '`']);

/**
 * Splits a command line into argv the way Compose does for `command: echo "a b"` (quotes and
 * backslashes, no variables, no globbing). Compose stops silently at an unquoted shell operator
 * (`&&`, `|`, `;`, `>`), running only the part before it; workbay refuses it instead.
 */
export function splitShellWords(line: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) cur += line[++i]!;
      else cur += c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]!;
      inWord = true;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) args.push(cur);
      cur = '';
      inWord = false;
    } else if (OPERATORS.has(c)) {
      throw new ValueError(
        `the command holds the shell operator ${JSON.stringify(c)}, which Compose does not run (it would run only the part before it)`,
        `Run it through a shell: ["sh", "-c", ${JSON.stringify(line)}].`,
      );
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new ValueError(`the command has an unclosed ${quote} quote`);
  if (inWord) args.push(cur);
  return args;
}

/** A scalar YAML value as the string an engine gets (`true`, `5432`); null stays null. */
export function scalarString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}

/**
 * `environment`, `labels` or `build.args` in either form: a list of `KEY=value` (a bare `KEY` takes
 * its value from the environment) or a mapping. Null means "from the environment".
 */
export function listOrDict(value: unknown): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) out[s] = null;
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out[k] = scalarString(v);
  }
  return out;
}
