import { isDeepStrictEqual } from 'node:util';
import type { Schema } from './openapi-schemas';
import { badRequest, statusError } from './status';
import { mergeMap } from './strategic-merge';

type Json = unknown;

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, Json> = target !== null && typeof target === 'object' && !Array.isArray(target)
    ? structuredClone(target as Record<string, Json>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, Json>)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch: invalid path ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map(unescape);
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: any; key: string } {
  let cur: any = doc;
  for (const t of tokens.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : cur?.[t];
    if (cur === undefined || cur === null || typeof cur !== 'object') {
      throw statusError(422, 'Invalid', `the server rejected our request due to an error in our request: jsonpatch: path ${path} does not exist`);
    }
  }
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: Json, path: string): Json {
  let cur: any = doc;
  for (const t of parsePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : cur?.[t];
    if (cur === undefined) throw statusError(422, 'Invalid', `jsonpatch: path ${path} does not exist`);
  }
  return structuredClone(cur);
}

function removeAt(doc: Json, path: string): void {
  const { parent, key } = parentOf(doc, parsePointer(path), path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length)) throw statusError(422, 'Invalid', `jsonpatch remove operation does not apply: doc is missing path: ${path}`);
    parent.splice(i, 1);
  } else {
    if (!(key in parent)) throw statusError(422, 'Invalid', `jsonpatch remove operation does not apply: doc is missing path: ${path}`);
    delete parent[key];
  }
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!(i >= 0 && i <= parent.length)) throw statusError(422, 'Invalid', `jsonpatch: index out of bounds at ${path}`);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else {
    if (replace && !(key in parent)) throw statusError(422, 'Invalid', `jsonpatch replace operation does not apply: doc is missing key: ${path}`);
    parent[key] = structuredClone(value);
  }
  return doc;
}

/** RFC 6902 JSON patch (client-node's default PATCH content type). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch: the body must be an array of operations');
  let doc: Json = structuredClone(target);
  for (const raw of ops) {
    const op = raw as { op?: string; path?: string; from?: string; value?: Json };
    const path = String(op.path ?? '');
    switch (op.op) {
      case 'add': doc = addAt(doc, path, op.value, false); break;
      case 'replace': doc = addAt(doc, path, op.value, true); break;
      case 'remove': removeAt(doc, path); break;
      case 'test':
        if (!isDeepStrictEqual(getAt(doc, path), op.value)) throw statusError(422, 'Invalid', `testing value ${path} failed`);
        break;
      case 'move': {
        const v = getAt(doc, String(op.from));
        removeAt(doc, String(op.from));
        doc = addAt(doc, path, v, false);
        break;
      }
      case 'copy': doc = addAt(doc, path, getAt(doc, String(op.from)), false); break;
      default: throw badRequest(`json patch: unknown operation ${JSON.stringify(op.op)}`);
    }
  }
  return doc;
}

/** Applies a PATCH body according to its content type (strategic merge follows the kind's `schema`); unsupported types → 415. */
export function applyPatch(contentType: string, target: Json, body: Json, schema?: Schema): Json {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json-patch+json') return jsonPatch(target, body);
  if (type === 'application/merge-patch+json') return mergePatch(target, body);
  if (type === 'application/strategic-merge-patch+json') {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('a strategic merge patch must be a JSON object');
    return mergeMap(target as Record<string, unknown>, body as Record<string, unknown>, schema);
  }
  throw statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (kube-sim does not implement ${type})`);
}
