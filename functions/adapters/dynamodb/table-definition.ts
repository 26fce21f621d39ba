/**
 * The one definition of the table, read by the CDK stack and by the local runtime, so the two
 * can never drift. See docs/data-model.md.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

export const ACTIVE_BY_DEADLINE_INDEX = {
  indexName: 'activeByDeadline',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
} as const;

/** Epoch seconds after which DynamoDB may delete an item (idempotency records). */
export const TTL_ATTRIBUTE = 'ttl';

export const STREAM_VIEW = 'NEW_AND_OLD_IMAGES' as const;

/** CreateTable input for DynamoDB (Local): on-demand, one GSI, stream on. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' as const },
      { AttributeName: ACTIVE_BY_DEADLINE_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: ACTIVE_BY_DEADLINE_INDEX.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
        KeySchema: [
          { AttributeName: ACTIVE_BY_DEADLINE_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: ACTIVE_BY_DEADLINE_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW },
  };
}
