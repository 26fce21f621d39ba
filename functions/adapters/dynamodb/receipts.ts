import type { AuditEvent } from '../../domain/audit.ts';
import { idTimePrefix } from '../../domain/ids.ts';
import type { Page, PageRequest, ReceiptStore, ReceiptTally } from '../../domain/ports.ts';
import { countOrNull, textSet } from './fields.ts';
import { toEvent } from './items.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';
import { ACTIVE_BY_DEADLINE_INDEX } from './table-definition.ts';

/** Sorts after every ULID character: `EVENT#<id>~` is just past that event. */
const PAST = '~';

/**
 * A grant's receipt: the counts kept on the grant item as support's events are written
 * (`Table.eventWrites`), and the grant's activities in their own index partition.
 */
export class DynamoReceipts implements ReceiptStore {
  constructor(private readonly table: Table) {}

  /** What the grant's receipt has counted so far (null: no such grant). */
  async receiptTally(tenantId: string, grantId: string): Promise<ReceiptTally | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.grant(grantId));
    if (!item) return null;
    return {
      accessChecks: countOrNull(item, 'receiptChecks') ?? 0,
      callerVerifications: countOrNull(item, 'receiptVerifications') ?? 0,
      activities: countOrNull(item, 'receiptActivities') ?? 0,
      agents: textSet(item, 'receiptAgents').sort(),
    };
  }

  /**
   * How many events naming the grant (other than the records of mails about it), after
   * `afterEventId` and made before `before`, are not chained yet: a short range of the tenant's log (the caller bounds it by time), read
   * consistently.
   */
  async unchainedGrantEvents(
    tenantId: string,
    grantId: string,
    afterEventId: string,
    before: Date,
  ): Promise<number> {
    const from = `${keys.event(afterEventId)}${PAST}`;
    const to = keys.event(idTimePrefix(before));
    if (to < from) return 0;
    let count = 0;
    const pages = this.table.queryToEnd({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // Mails about the grant are recorded after they are sent: they are never under a mail's head.
      FilterExpression:
        'grantId = :grantId AND attribute_not_exists(#hash) AND NOT begins_with(#type, :notification)',
      ExpressionAttributeNames: { '#hash': 'hash', '#type': 'type' },
      ExpressionAttributeValues: {
        ':pk': keys.tenant(tenantId),
        ':from': from,
        ':to': to,
        ':grantId': grantId,
        ':notification': 'notification.',
      },
      Select: 'COUNT',
      ConsistentRead: true,
    });
    for await (const result of pages) count += result.Count ?? 0;
    return count;
  }

  /** One page of the grant's support activities, oldest first (the index is eventually consistent). */
  async grantActivities(tenantId: string, grantId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    const partition = keys.grantActivities(tenantId, grantId);
    return this.table.queryPage(
      {
        IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': partition },
        ScanIndexForward: true,
      },
      page,
      {
        fixed: { gsi1pk: partition, pk: keys.tenant(tenantId) },
        prefixed: { gsi1sk: '', sk: keys.eventPrefix },
      },
      toEvent,
      () => true,
      (item) => ({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk }),
    );
  }
}
