import { LIMITS } from '../config/limits';
import type { FieldPath } from '../config/issues';

/** One problem found while interpolating a value. */
export interface InterpolationProblem {
  path: FieldPath;
  message: string;
  hint?: string;
}

/** What interpolating a document produced. */
export interface Interpolated {
  data: unknown;
  problems: InterpolationProblem[];
  /** Names used without a value and without a default (Compose substitutes an empty string and warns). */
  unset: string[];
  /** Paths whose string value held a `$` expression: these may be cast to the schema's type. */
  substituted: Set<string>;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const ESCAPE_HINT = 'Write $$ for a literal $ (e.g. "$$HOME" for the shell inside the container).';

class TemplateError extends Error {}

/**
 * Interpolates one string per the Compose specification: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, defaults nesting
 * further expressions. One pass over the text (nested defaults are parsed in the same pass), so
 * the cost is linear in its length.
 *
 * @throws TemplateError for a malformed expression or a `:?`/`?` variable without a value.
 */
export function interpolateString(text: string, env: Record<string, string>, unset: Set<string>): string {
  const [out] = parse(text, 0, env, unset, false, 0);
  return out;
}

/** Parses from `i` until the end (or an unbalanced `}` when `nested`); returns the text and where it stopped. */
function parse(text: string, start: number, env: Record<string, string>, unset: Set<string>, nested: boolean, depth: number): [string, number] {
  if (depth > LIMITS.depth) throw new TemplateError(`expressions are nested more than ${LIMITS.depth} levels deep`);
  let out = '';
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (nested && c === '}') return [out, i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
      out += lookup(text.slice(i + 1, j), env, unset);
      i = j;
    } else if (next === '{') {
      const [value, end] = braced(text, i + 2, env, unset, depth);
      out += value;
      i = end;
    } else {
      throw new TemplateError(`invalid interpolation: "$" at offset ${i} starts no variable`);
    }
  }
  if (nested) throw new TemplateError('an expression "${" is not closed with "}"');
  return [out, i];
}

/** Parses after `${`: the name, an optional operator and its argument, and the closing `}`. */
function braced(text: string, start: number, env: Record<string, string>, unset: Set<string>, depth: number): [string, number] {
  let j = start;
  if (j >= text.length || !NAME_START.test(text[j]!)) throw new TemplateError('"${" must be followed by a variable name');
  while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
  const name = text.slice(start, j);
  if (text[j] === '}') return [lookup(name, env, unset), j + 1];
  if (j >= text.length) throw new TemplateError(`the expression "\${${name}" is not closed with "}"`);
  const colon = text[j] === ':';
  const op = text[colon ? j + 1 : j];
  if (op !== '-' && op !== '?' && op !== '+') {
    throw new TemplateError(`invalid expression "\${${name}${text.slice(j, j + 2)}…": expected }, :-, -, :?, ?, :+ or +`);
  }
  const [arg, end] = parse(text, j + (colon ? 2 : 1), env, unset, true, depth + 1);
  const value = Object.hasOwn(env, name) ? env[name] : undefined;
  const missing = value === undefined || (colon && value === '');
  let out: string;
  if (op === '-') out = missing ? arg : value!;
  else if (op === '+') out = missing ? '' : arg;
  else if (missing) throw new RequiredVariableError(name, arg);
  else out = value!;
  return [out, end + 1];
}

function lookup(name: string, env: Record<string, string>, unset: Set<string>): string {
  if (Object.hasOwn(env, name)) return env[name]!;
  unset.add(name);
  return '';
}

/** `${VAR:?message}` without a value: the user's own message. */
class RequiredVariableError extends TemplateError {
  constructor(readonly variable: string, readonly text: string) {
    super(`required variable ${variable} is not set${text ? `: ${text}` : ''}`);
  }
}

/**
 * Interpolates every string value of a parsed Compose file (keys are left as written, as Compose
 * does). Walks without recursion; each problem is reported at its value's path.
 */
export function interpolateDocument(data: unknown, env: Record<string, string>): Interpolated {
  const problems: InterpolationProblem[] = [];
  const unset = new Set<string>();
  const substituted = new Set<string>();
  const root = { value: structuredClone(data) };
  const stack: { holder: Record<string | number, unknown>; key: string | number; path: FieldPath }[] = [{ holder: root as never, key: 'value', path: [] }];
  while (stack.length > 0) {
    const { holder, key, path } = stack.pop()!;
    const value = holder[key];
    if (typeof value === 'string') {
      if (!value.includes('$')) continue;
      try {
        holder[key] = interpolateString(value, env, unset);
        substituted.add(path.join('\u0000'));
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        problems.push({
          path,
          message: err.message,
          ...(err instanceof RequiredVariableError ? { hint: `Set ${err.variable} in the request's env (workbay up --env ${err.variable}=…) or in .env beside the compose file.` } : { hint: ESCAPE_HINT }),
        });
      }
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ holder: value as never, key: i, path: [...path, i] });
    } else if (value && typeof value === 'object') {
      for (const k of Object.keys(value).reverse()) stack.push({ holder: value as never, key: k, path: [...path, k] });
    }
  }
  return { data: root.value, problems, unset: [...unset], substituted };
}
