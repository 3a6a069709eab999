import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Document } from 'yaml';
import { Issues, MAX_REPORTED_ERRORS, formatPath, positionIndex, type FieldPath, type SourcePosition } from './issues';
import { LIMITS, findTooDeepYamlFlow, tooDeepMessage } from './limits';

/** A parsed YAML document that can say where each field was written. */
export interface YamlSource {
  /** The document as plain data (maps become objects). */
  data: unknown;
  /** The 1-based position of the scalar value (or the key, for collections) at `path`. */
  locate(path: FieldPath): SourcePosition | undefined;
  /** Parser warnings, worded for users. */
  warnings: string[];
  /** Values carrying a local tag (`!reset []`, Compose's merge tags), in document order. */
  tags: { path: FieldPath; tag: string }[];
}

/** A hint that shows the user's own two lines, fixed. */
function blockHint(keyLine: string, next: string): string {
  const keyColumn = keyLine.length - keyLine.replace(/^ *(?:- +)?/, '').length;
  return (
    'The content of a block scalar (|, |-, >) must be indented under its key, e.g.\n' +
    `${keyLine.trimEnd()}\n${' '.repeat(keyColumn + 2)}${next.trim()}`
  );
}

/**
 * Parses YAML with duplicate keys refused and alias bombs guarded.
 *
 * @param options.merge read `<<: *anchor` merge keys (YAML 1.1, which Compose files use).
 * @throws WorkbayError `config.invalid` with the parser's line and column for each syntax error,
 *   and a hint when a block scalar's content was not indented (a copy-paste accident the DevPod docs'
 *   own Kubernetes example shows).
 */
export function parseYamlSource(text: string, summary: string, options: { merge?: boolean } = {}): YamlSource {
  const lineCounter = new LineCounter();
  const issues: Issues = new Issues();
  const tooDeep = findTooDeepYamlFlow(text);
  if (tooDeep !== undefined) {
    issues.add('document', tooDeepMessage(), { position: positionIndex(text)(tooDeep), hint: `Keep nesting within ${LIMITS.depth} levels.` });
    issues.fail(summary);
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter, merge: options.merge ?? false });
  } catch (err) {
    // The composer recurses per level of flow nesting: a stack overflow means nesting far too deep.
    if (!(err instanceof RangeError)) throw err;
    issues.add('document', tooDeepMessage(), { position: { line: 1, column: 1 } });
    issues.fail(summary);
  }
  const lines = text.split(/\r?\n/);
  const tags: { path: FieldPath; tag: string }[] = [];
  if (doc.errors.length > 0) {
    const blocks = findUnindentedBlocks(lines);
    for (const b of blocks) {
      issues.add(b.field, `the block scalar "${b.key}: ${b.indicator}" on line ${b.keyLine} has no indented content; line ${b.line} is read as a new key instead`, {
        hint: blockHint(lines[b.keyLine - 1]!, lines[b.line - 1]!),
        position: { line: b.line, column: b.column },
      });
    }
    for (const err of doc.errors) {
      const pos = err.linePos?.[0];
      if (pos && blocks.some((b) => b.line === pos.line)) continue;
      // yaml reports its own stack overflow as a parse error: word it as what the user did.
      const message = /call stack/i.test(err.message) ? tooDeepMessage() : cleanMessage(err.message);
      issues.add('document', message, {
        position: pos ? { line: pos.line, column: pos.col } : undefined,
      });
    }
  } else if (checkStructure(doc, lineCounter, issues, tags)) {
    findEmptyBlockScalars(doc, lineCounter, lines, issues);
  }
  issues.throwIfAny(summary);

  const locate = (path: FieldPath): SourcePosition | undefined => {
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return offset === undefined ? undefined : toPosition(lineCounter, offset);
        offset = (pair.key as Scalar).range?.[0];
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        offset = (node as Scalar | undefined)?.range?.[0] ?? offset;
      } else {
        break;
      }
    }
    // A scalar is pointed at where its value is written; a mapping or list at its key.
    const valueOffset = isScalar(node) ? node.range?.[0] : undefined;
    const at = valueOffset ?? offset ?? (node as Scalar | null)?.range?.[0];
    return at === undefined ? undefined : toPosition(lineCounter, at);
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml throws a ReferenceError for alias bombs and unresolved aliases.
    issues.add('document', err instanceof Error ? err.message : String(err), { position: { line: 1, column: 1 } });
    issues.fail(summary);
  }
  return { data, locate, warnings: doc.warnings.map((w) => cleanMessage(w.message)), tags };
}

/**
 * Walks the document without recursion and without following aliases: refuses nesting deeper than
 * the limit, collections with too many entries, and an alias inside its own anchor (`a: &a {x: *a}`),
 * whose value is infinitely deep. False when the document must not be walked further.
 */
function checkStructure(doc: Document, lineCounter: LineCounter, issues: Issues, tags: { path: FieldPath; tag: string }[]): boolean {
  const anchors = new Map<string, unknown>();
  const onPath = new Set<unknown>();
  const stack: { node: unknown; path: FieldPath; depth: number; exit?: true }[] = [{ node: doc.contents, path: [], depth: 0 }];
  const at = (node: unknown) => {
    const offset = (node as Scalar | null)?.range?.[0];
    return { position: offset === undefined ? null : toPosition(lineCounter, offset) };
  };
  let ok = true;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { node, path, depth } = frame;
    if (frame.exit) {
      onPath.delete(node);
      continue;
    }
    const field = formatPath(path) || 'document';
    const tag = (node as { tag?: string } | null)?.tag;
    // Standard tags resolve to `tag:yaml.org,2002:…`; a leading "!" is a local one the reader interprets.
    if (tag?.startsWith('!') && !isPair(node)) tags.push({ path, tag });
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target !== undefined && onPath.has(target)) {
        issues.add(field, `the alias *${node.source} is inside its own anchor &${node.source}, which makes the value infinitely deep`, at(node));
        ok = false;
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node)) {
      if (isScalar(node) && node.anchor) anchors.set(node.anchor, node);
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (depth >= LIMITS.depth) {
      issues.add(field, tooDeepMessage(), { ...at(node), hint: `Keep nesting within ${LIMITS.depth} levels.` });
      return false;
    }
    if (node.items.length > LIMITS.entries) {
      issues.add(field, `has ${node.items.length} entries; at most ${LIMITS.entries} are accepted`, at(node));
      ok = false;
    }
    onPath.add(node);
    stack.push({ node, path, depth, exit: true });
    // Children go on the stack last-first, so they are visited in document order: an alias always
    // refers to the nearest anchor before it.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item: unknown = node.items[i];
      if (isPair(item)) {
        const key = isScalar(item.key) ? String(item.key.value) : String(i);
        stack.push({ node: item.value, path: [...path, key], depth: depth + 1 });
        stack.push({ node: item.key, path: [...path, key], depth: depth + 1 });
      } else {
        stack.push({ node: item, path: [...path, i], depth: depth + 1 });
      }
    }
  }
  return ok;
}

function toPosition(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Drops prettyErrors' "at line N, column M:" and source excerpt; FieldError carries the position. */
function cleanMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

interface UnindentedBlock {
  field: string;
  key: string;
  indicator: string;
  keyLine: number;
  line: number;
  column: number;
}

const BLOCK_KEY = /^( *)(?:- +)?([^\s#][^#]*?)\s*:\s+([|>][-+0-9]*)\s*(?:#.*)?$/;
const PARENT_KEY = /^( *)(?:- +)?([^\s#][^#]*?)\s*:\s*(?:#.*)?$/;

/** Finds `key: |-` lines whose next non-blank line is not indented more than the key. */
function findUnindentedBlocks(lines: string[]): UnindentedBlock[] {
  const found: UnindentedBlock[] = [];
  lines.forEach((line, i) => {
    // parentKeys scans upwards: only as many as can be reported, so the cost stays linear.
    if (found.length >= MAX_REPORTED_ERRORS) return;
    const m = BLOCK_KEY.exec(line);
    if (!m) return;
    const indent = m[1]!.length;
    let j = i + 1;
    while (j < lines.length && isBlankOrComment(lines[j]!)) j++;
    if (j >= lines.length) return;
    const next = lines[j]!;
    const nextIndent = next.length - next.trimStart().length;
    if (nextIndent > indent) return;
    found.push({
      field: formatPath([...parentKeys(lines, i, indent), unquote(m[2]!)]),
      key: m[2]!,
      indicator: m[3]!,
      keyLine: i + 1,
      line: j + 1,
      column: nextIndent + 1,
    });
  });
  return found;
}

function parentKeys(lines: string[], index: number, indent: number): string[] {
  const keys: string[] = [];
  let current = indent;
  for (let i = index - 1; i >= 0 && current > 0; i--) {
    const m = PARENT_KEY.exec(lines[i]!);
    if (m && m[1]!.length < current) {
      keys.unshift(unquote(m[2]!));
      current = m[1]!.length;
    }
  }
  return keys;
}

function isBlankOrComment(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

function unquote(key: string): string {
  return key.replace(/^(["'])(.*)\1$/, '$2');
}

/** In a document that parsed, an empty `|`/`>` value is the same accident with a valid next key. */
function findEmptyBlockScalars(doc: Document, lineCounter: LineCounter, lines: string[], issues: Issues): void {
  visit(doc, {
    Pair(_key, pair, path) {
      const value = pair.value;
      if (!isScalar(value) || value.value !== '') return;
      if (value.type !== Scalar.BLOCK_LITERAL && value.type !== Scalar.BLOCK_FOLDED) return;
      const keyNode = pair.key as Scalar;
      const keyPos = toPosition(lineCounter, keyNode.range?.[0] ?? 0);
      let next = keyPos.line;
      while (next < lines.length && isBlankOrComment(lines[next]!)) next++;
      if (next >= lines.length) return;
      const keys = path.filter(isPair).map((p) => String((p.key as Scalar).value));
      const field = formatPath([...keys, String(keyNode.value)]);
      issues.add(field, `the block scalar on line ${keyPos.line} is empty; its content must be indented under the key`, {
        hint: blockHint(lines[keyPos.line - 1]!, lines[next]!),
        position: { line: next + 1, column: lines[next]!.length - lines[next]!.trimStart().length + 1 },
      });
    },
  });
}
