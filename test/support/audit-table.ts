import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { exportAudit } from '../../functions/use-cases/audit.ts';

/** The table a test works on, as someone with write access to it sees it. */
type RawTable = { doc: DynamoDBDocumentClient; tableName: string };

/** The whole export of `acme`, `limit` events a page, as the NDJSON lines a customer downloads. */
export async function exportLines(
  t: { deps: Parameters<typeof exportAudit>[0] },
  limit: number,
): Promise<string[]> {
  const lines: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await exportAudit(t.deps, 'acme', { limit, cursor });
    lines.push(...page.events.map((e) => JSON.stringify(e)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return lines;
}

/** The event items of `acme` as stored, in chain order. */
export async function storedEvents(t: RawTable) {
  const { Items = [] } = await t.doc.send(
    new QueryCommand({
      TableName: t.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.tenant('acme'), ':p': keys.eventPrefix },
    }),
  );
  return Items;
}

/** Sets attributes of a stored item directly in the table, past every use case and condition. */
export async function overwrite(
  t: RawTable,
  key: { pk?: unknown; sk?: unknown },
  values: Record<string, unknown>,
): Promise<void> {
  const names = Object.keys(values);
  await t.doc.send(
    new UpdateCommand({
      TableName: t.tableName,
      Key: { pk: key.pk, sk: key.sk },
      UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, values[name]])),
    }),
  );
}
