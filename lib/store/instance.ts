import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { Db } from './client';
import { guarded, isConditionFailure } from './conditional';
import { keys } from './keys';
import { onceUntilFailed } from '../once';

const ITEM = keys.setting('instance');

/**
 * This control plane's identity, made once per table and kept in it. Engine objects carry it as a
 * label, so the orphan collector only ever removes what this control plane made, even on an engine
 * shared with another control plane (staging beside prod, or every test file's own).
 */
export class InstanceRepo {

  constructor(private readonly db: Db) {}

  /** Read (or made) on the first call and kept; a failed read is tried again by the next call. */
  readonly id: () => Promise<string> = onceUntilFailed(() => this.read());

  private async read(): Promise<string> {
    const got = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: ITEM, ConsistentRead: true })));
    if (typeof got.Item?.instance === 'string') return got.Item.instance;
    const instance = ulid().toLowerCase();
    try {
      await this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: { ...ITEM, kind: 'setting', instance, createdAt: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return instance;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return this.read(); // another process made it first
    }
  }
}
