import type { Node } from 'jsonc-parser';
import { formatPath, type FieldPath, type Issues, type SourcePosition } from './issues';

/**
 * Limits on submitted documents (devcontainer.json, provider files, API bodies). They keep every
 * parse and validation linear in the input and the recursion of parsers and validators shallow.
 */
export const LIMITS = {
  /** Deepest nesting of objects and arrays. Real devcontainer.json and provider files stay under 10. */
  depth: 64,
  /** Most entries in one array or object (mounts, runArgs, containerEnv, options, ...). */
  entries: 1000,
  /** Most option values set in one request or declared by one provider. */
  options: 200,
  /** Most warnings kept for one document; the rest are counted in a final warning. */
  warnings: 50,
  /** Largest provider file: it is stored whole in one DynamoDB item (400 KB at most). */
  providerFileBytes: 256 * 1024,
} as const;

/** Why a nesting limit failed, worded for users. */
export function tooDeepMessage(limit: number = LIMITS.depth): string {
  return `objects and arrays are nested more than ${limit} levels deep`;
}

/**
 * Measures bracket nesting of JSON/JSONC text in one pass (strings and comments skipped), before any
 * recursive parser sees it. Returns the offset of the first bracket deeper than `limit`, if any.
 */
export function findTooDeepJson(text: string, limit: number = LIMITS.depth): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22 || d === 0x0a) break;
      }
    } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

const NUL = '\u0000';

/**
 * Walks a jsonc-parser tree without recursion and records, at their own positions, arrays and
 * objects with too many entries and keys or strings holding NUL characters (no engine, shell or
 * file system accepts them; they only ever smuggle).
 */
export function checkJsonTree(root: Node, issues: Issues, position: (offset: number) => SourcePosition): void {
  const stack: { node: Node; path: FieldPath }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node.type === 'string' && typeof node.value === 'string' && node.value.includes(NUL)) {
      issues.add(formatPath(path) || 'document', 'contains a NUL character', { position: position(node.offset) });
    }
    if (node.type !== 'object' && node.type !== 'array') continue;
    const children = node.children ?? [];
    if (children.length > LIMITS.entries) {
      issues.add(formatPath(path) || 'document', `has ${children.length} entries; at most ${LIMITS.entries} are accepted`, { position: position(node.offset) });
    }
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]!;
      if (node.type === 'array') {
        stack.push({ node: child, path: [...path, i] });
        continue;
      }
      const key = child.children?.[0];
      const value = child.children?.[1];
      const name = typeof key?.value === 'string' ? key.value : '';
      if (name.includes(NUL)) issues.add(formatPath([...path, name]), 'the key contains a NUL character', { position: position(child.offset) });
      if (value) stack.push({ node: value, path: [...path, name] });
    }
  }
}

/** Keeps the first warnings of a document and counts the rest in a final one. */
export function capWarnings(warnings: string[], limit: number = LIMITS.warnings): string[] {
  if (warnings.length <= limit) return warnings;
  return [...warnings.slice(0, limit), `…and ${(warnings.length - limit).toLocaleString('en-US')} more warnings`];
}

/**
 * The same measure for YAML flow collections (`[[[…]]]`, `{a: {b: …}}`), whose parser recurses per
 * level and slows down long before it overflows. Quoted scalars and comments are skipped; a bracket
 * inside a plain scalar may be counted, which can only make the measure larger, never hide depth.
 * Block nesting needs indentation, so its depth is bounded by the text size and checked after parsing.
 */
export function findTooDeepYamlFlow(text: string, limit: number = LIMITS.depth): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (c === 0x22 && d === 0x5c) i++;
        else if (d === c || d === 0x0a) break;
      }
    } else if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
