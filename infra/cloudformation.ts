import { keys, WORK_SHARD } from '../lib/store/keys';
import { tableDefinition, TTL_ATTRIBUTE } from './table';

/** The `AWS::DynamoDB::Table` resource of serverless.yml, rendered from the shared definition. */
export interface TableResource {
  Type: 'AWS::DynamoDB::Table';
  DeletionPolicy: 'Retain';
  UpdateReplacePolicy: 'Retain';
  Properties: Record<string, unknown>;
}

/**
 * Renders infra/table.ts as CloudFormation, the one definition local bootstrap also creates the table
 * from. What CreateTable spells differently or cannot say is translated here: the stream has no
 * `StreamEnabled` in CloudFormation, and TTL and point-in-time recovery are table properties there
 * (dynalite has neither). The name is left to CloudFormation so stages never collide; the functions
 * get it through `Ref`. The table holds all state, so a stack removal or replacement keeps it.
 */
export function tableResource(): TableResource {
  const def = tableDefinition('unused');
  const view = def.StreamSpecification?.StreamViewType;
  if (!view) throw new Error('infra/table.ts must keep the stream on: the reconciler function runs on it');
  return {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BillingMode: def.BillingMode,
      AttributeDefinitions: def.AttributeDefinitions,
      KeySchema: def.KeySchema,
      GlobalSecondaryIndexes: def.GlobalSecondaryIndexes?.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })),
      StreamSpecification: { StreamViewType: view },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    },
  };
}

/**
 * Event filter of the reconciler's stream trigger: only inserts and changes of workspace items whose
 * new image sits in a WORK shard (the store puts exactly the workspaces that need work there), so
 * events, tokens, leases released on settled workspaces and the like never invoke the function; and
 * inserted outbox items (outgoing events, ADR 0011), which it delivers.
 * Rendered from the store's own key builders; the function checks the same again.
 */
export function streamFilterPatterns(): Record<string, unknown>[] {
  const { sk } = keys.workspace('x');
  const prefix = keys.workspace('').pk;
  return [{
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: {
      Keys: { pk: { S: [{ prefix }] }, sk: { S: [sk] } },
      // WORK before index sharding, WORK#<n> since (ADR 0015).
      NewImage: { gsi1pk: { S: [WORK_SHARD, { prefix: `${WORK_SHARD}#` }] } },
    },
  }, {
    // Outgoing events: the function delivers them as they are written; the schedule retries.
    eventName: ['INSERT'],
    dynamodb: { Keys: { pk: { S: [{ prefix: keys.outbox('').pk }] } } },
  }];
}
