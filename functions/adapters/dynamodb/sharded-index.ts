import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest } from '../../domain/ports.ts';
import type { CursorScope } from './cursor.ts';
import type { IndexShards } from './shards.ts';
import type { Item, Table } from './table.ts';
import { ACTIVE_BY_DEADLINE_INDEX } from './table-definition.ts';

/** The sparse index lists spread over shards: active grants by deadline, pending reminders by due time. */
export class ShardedIndex {
  constructor(
    private readonly table: Table,
    private readonly shards: IndexShards,
  ) {}

  /**
   * One page of a sparse index list (partition `base`, spread over the configured shards),
   * ascending by sort key strictly between the bounds given: every shard is queried from just
   * past the cursor's sort key and the answers merged — a query per shard per page. The cursor
   * is the last item's key under the list's own partition name, so it is the same whatever the
   * number of shards, and one issued before a change of that number still works.
   */
  async page<T>(
    base: string,
    range: { after?: string; before?: string },
    page: PageRequest,
    itemSk: { sk: string } | { skPrefix: string },
    map: (item: Item) => T,
    keep: (value: T) => boolean,
  ): Promise<Page<T>> {
    const scope: CursorScope =
      'sk' in itemSk
        ? { fixed: { gsi1pk: base, sk: itemSk.sk }, prefixed: { gsi1sk: '', pk: 'TENANT#' } }
        : { fixed: { gsi1pk: base }, prefixed: { gsi1sk: '', pk: 'TENANT#', sk: itemSk.skPrefix } };
    const cursor = (await this.table.decodeCursor(page.cursor, scope))?.gsi1sk;
    const after =
      cursor !== undefined && (range.after === undefined || cursor > range.after) ? cursor : range.after;
    const { before } = range;
    if (after !== undefined && before !== undefined && after >= before)
      return { items: [], nextCursor: null };
    const condition =
      after !== undefined && before !== undefined
        ? 'gsi1sk BETWEEN :after AND :before'
        : after !== undefined
          ? 'gsi1sk > :after'
          : 'gsi1sk < :before';
    const want = page.limit + 1;
    const perShard = await Promise.all(
      this.shards.all(base).map(async (partition) => {
        const kept: { item: Item; value: T }[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const result = await this.table.doc.send(
            new QueryCommand({
              TableName: this.table.name,
              IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
              KeyConditionExpression: `gsi1pk = :partition AND ${condition}`,
              ExpressionAttributeValues: {
                ':partition': partition,
                ...(after !== undefined ? { ':after': after } : {}),
                ...(before !== undefined ? { ':before': before } : {}),
              },
              ScanIndexForward: true,
              ExclusiveStartKey: start,
              Limit: want - kept.length,
            }),
          );
          for (const item of result.Items ?? []) {
            // BETWEEN includes its ends: the cursor's own item was on the page before.
            if (item.gsi1sk === after || item.gsi1sk === before) continue;
            const value = map(item);
            if (keep(value)) kept.push({ item, value });
          }
          start = result.LastEvaluatedKey;
        } while (start && kept.length < want);
        return kept;
      }),
    );
    const merged = perShard.flat().sort((a, b) => (String(a.item.gsi1sk) < String(b.item.gsi1sk) ? -1 : 1));
    const items = merged.slice(0, page.limit);
    const last = items.at(-1)?.item;
    return {
      items: items.map((k) => k.value),
      nextCursor:
        merged.length > page.limit && last
          ? await this.table.encodeCursor(
              { gsi1pk: base, gsi1sk: last.gsi1sk, pk: last.pk, sk: last.sk },
              scope,
            )
          : null,
    };
  }
}
