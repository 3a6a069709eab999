import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Index names, shared by the store and the table definition. */
export const GSI_SWEEP = 'gsi1';
export const GSI_LIST = 'gsi2';

/**
 * The single table, as CloudFormation-compatible properties. Local bootstrap (dynalite) creates it from
 * this object and serverless.yml renders the same properties, so the two can never drift.
 * GSI1 is sparse: only Running workspaces carry `gsi1pk`, so sweeps cost what is due, not the fleet.
 * GSI2 lists things per owner (workspaces) and per kind (providers).
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'gsi2pk', AttributeType: 'S' },
      { AttributeName: 'gsi2sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI_SWEEP,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: GSI_LIST,
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/** Attribute holding the epoch-seconds expiry of garbage items (old events, idempotency records). */
export const TTL_ATTRIBUTE = 'expiresAt';
