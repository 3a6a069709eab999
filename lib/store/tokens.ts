import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { keys } from './keys';
import type { TokenRecord } from './types';

/** Token items: `TOKEN#<sha256>`/`META`. The secret itself is never stored. */
export class TokenRepo {
  constructor(private readonly db: Db) {}

  /** Stores a token; returns false when that hash exists already (idempotent bootstrap). */
  async put(t: TokenRecord): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: { ...keys.token(t.hash), kind: 'token', ...t },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return true;
    }, () => false);
  }

  async get(hash: string): Promise<TokenRecord | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: keys.token(hash) })));
    return out.Item ? stripKeys<TokenRecord>(out.Item) : undefined;
  }
}
