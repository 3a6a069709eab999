import { WorkbayError } from '../errors';
import { ownerList } from './keys';

const LEGACY_KEYS = ['gsi2pk', 'gsi2sk', 'pk', 'sk'];
const SORT_KEY = /^WS#[^#]{1,64}#[0-9A-Z]{26}$/;

const invalid = () => new WorkbayError('request.invalid', 'invalid cursor', {
  errors: [{ field: 'query.cursor', message: 'not a cursor returned by this API for this listing; start again without it' }],
});

/** The cursor of an owner's listing: the owner and the sort key of the last workspace handed out. */
export const encodeOwnerCursor = (owner: string, before: string | undefined) =>
  before === undefined ? undefined : Buffer.from(JSON.stringify({ owner, before })).toString('base64url');

/**
 * Reads a listing cursor back into the sort key to continue before. Only the shapes this API hands
 * out for this owner are accepted: today's `{owner, before}` and the start key that releases before
 * index sharding returned (so a client paging across an upgrade goes on where it was); anything else
 * could start another owner's listing or reach DynamoDB as a malformed key.
 */
export function decodeOwnerCursor(c: string | undefined, owner: string): string | undefined {
  if (!c) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch { throw invalid(); }
  const k = v as Record<string, unknown> | null;
  if (!k || typeof k !== 'object' || Array.isArray(k)) throw invalid();
  if (Object.keys(k).sort().join() === 'before,owner' && k.owner === owner && typeof k.before === 'string' && SORT_KEY.test(k.before)) return k.before;
  const legacy = Object.keys(k).sort().join() === LEGACY_KEYS.join()
    && Object.values(k).every((x) => typeof x === 'string' && x.length <= 512)
    && k.gsi2pk === ownerList(owner) && k.sk === 'META' && /^WS#[0-9A-Z]{26}$/.test(k.pk as string)
    && SORT_KEY.test(k.gsi2sk as string) && (k.gsi2sk as string).endsWith((k.pk as string).slice(3));
  if (legacy) return k.gsi2sk as string;
  throw invalid();
}
