import { configError, type FieldError } from '../errors';

/** A 1-based position in a submitted document. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A path into a document: object keys and array indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * Formats a path the way FieldError.field shows it: keys joined by dots, indexes in brackets,
 * e.g. `agent.kubernetes.persistentVolumeSize` or `mounts[1].target`.
 */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Most problems one document reports; the rest are counted in a final entry (keeps responses small). */
export const MAX_REPORTED_ERRORS = 50;

/**
 * Collects field problems so one request reports all of them at once instead of the first only.
 * Only the first `cap` are kept (and located); the others are counted, so a document with
 * thousands of bad entries costs linear time and gets a short answer.
 */
export class Issues {
  readonly errors: FieldError[] = [];
  /** Problems recorded beyond the cap. */
  private dropped = 0;

  constructor(
    private readonly locate?: (field: string) => SourcePosition | undefined,
    private readonly cap: number = MAX_REPORTED_ERRORS,
  ) {}

  /** How many problems were recorded, reported or not. */
  get count(): number {
    return this.errors.length + this.dropped;
  }

  /**
   * Records a problem; the position is looked up from the field unless given (`null`: the value
   * did not come from the document, so no position).
   */
  add(field: string, message: string, extra: { hint?: string; position?: SourcePosition | null } = {}): void {
    if (this.errors.length >= this.cap) {
      this.dropped++;
      return;
    }
    const position = extra.position === null ? undefined : (extra.position ?? this.locate?.(field));
    const error: FieldError = { field, message };
    if (position) {
      error.line = position.line;
      error.column = position.column;
    }
    if (extra.hint) error.hint = extra.hint;
    this.errors.push(error);
  }

  /** Replaces secret values in every recorded message and hint, so errors never echo a password. */
  redact(secrets: string[], mask = '********'): void {
    const live = secrets.filter((x) => x !== '').sort((a, b) => b.length - a.length);
    if (live.length === 0) return;
    const scrub = (text: string) => live.reduce((out, secret) => out.split(secret).join(mask), text);
    for (const e of this.errors) {
      e.message = scrub(e.message);
      if (e.hint) e.hint = scrub(e.hint);
    }
  }

  /** The reported problems, with a final `…and N more` entry when some were only counted. */
  reported(): FieldError[] {
    if (this.dropped === 0) return this.errors;
    return [...this.errors, { field: 'document', message: `…and ${this.dropped.toLocaleString('en-US')} more` }];
  }

  /** Throws one `config.invalid` error listing every recorded problem (at least one must be recorded). */
  fail(summary: string): never {
    this.throwIfAny(summary);
    throw new Error(`${summary}: failed without a recorded problem`);
  }

  /** Throws one `config.invalid` error listing every recorded problem, if there is any. */
  throwIfAny(summary: string): void {
    if (this.errors.length === 0) return;
    const first = this.errors[0]!;
    const more = this.count > 1 ? ` (and ${(this.count - 1).toLocaleString('en-US')} more)` : '';
    throw configError(`${summary}: ${first.field ? `${first.field}: ` : ''}${first.message}${more}`, this.reported());
  }
}

/**
 * 1-based line and column of character offsets in `text`; the line starts are indexed once, so
 * each lookup is a binary search instead of a scan from the start.
 */
export function positionIndex(text: string): (offset: number) => SourcePosition {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** Quotes a value for a message, so empty strings and spaces stay visible. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
