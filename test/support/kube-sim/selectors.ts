import { badRequest } from './status';

/** One parsed label-selector requirement. */
export interface LabelRequirement {
  key: string;
  op: 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
  values: string[];
}

/** One parsed field-selector term (`metadata.name=x`, `status.phase!=Running`). */
export interface FieldRequirement {
  path: string;
  op: '=' | '!=';
  value: string;
}

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[-A-Za-z0-9_.]*';

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Parses a `labelSelector` query value (equality, `!=`, `in`, `notin`, exists, `!key`, `>`/`<`); 400 on bad syntax. */
export function parseLabelSelector(selector: string | null | undefined): LabelRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((part) => {
    let m = new RegExp(`^!\\s*(${KEY})$`).exec(part);
    if (m) return { key: m[1]!, op: '!exists' as const, values: [] };
    m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: m[1]!, op: m[2] as 'in' | 'notin', values };
    }
    m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(part);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? ('!=' as const) : ('=' as const), values: [m[3]!] };
    m = new RegExp(`^(${KEY})\\s*(>|<)\\s*(-?\\d+)$`).exec(part);
    if (m) return { key: m[1]!, op: m[2] === '>' ? ('gt' as const) : ('lt' as const), values: [m[3]!] };
    m = new RegExp(`^(${KEY})$`).exec(part);
    if (m) return { key: m[1]!, op: 'exists' as const, values: [] };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists': return has;
      case '!exists': return !has;
      case '=': return has && v === r.values[0];
      case '!=': return !has || v !== r.values[0];
      case 'in': return has && r.values.includes(v!);
      case 'notin': return !has || !r.values.includes(v!);
      case 'gt': return has && Number(v) > Number(r.values[0]);
      case 'lt': return has && Number(v) < Number(r.values[0]);
    }
    return false;
  });
}

/** Parses a `fieldSelector` query value; any dotted path of the object is accepted. */
export function parseFieldSelector(selector: string | null | undefined): FieldRequirement[] {
  if (!selector) return [];
  return selector.split(',').map((p) => p.trim()).filter((p) => p !== '').map((part) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    return { path: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** True when the object satisfies every field requirement. */
export function matchesFields(reqs: FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) === (r.op === '='));
}
