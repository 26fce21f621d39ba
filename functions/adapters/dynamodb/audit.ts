import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { ConcurrentModificationError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../domain/ports.ts';
import { eventItem, toEvent } from './items.ts';
import { keys } from './keys.ts';
import { CONDITIONAL_CHECK_FAILED, type Table } from './table.ts';

/** The audit log: append-only event items under the tenant, newest first when read. */
export class DynamoAudit {
  constructor(private readonly table: Table) {}

  async appendEvent(event: AuditEvent): Promise<void> {
    if (!(await this.appendEventOnce(event)))
      throw new ConcurrentModificationError(`The event ${event.eventId} exists already.`);
  }

  /**
   * Appends an event made from a durable record (a check stamp); false when it is there already.
   * What support did under a grant is counted on the grant's receipt in the same transaction.
   */
  async appendEventOnce(event: AuditEvent): Promise<boolean> {
    const writes = this.table.eventWrites(event);
    if (writes.length === 1) {
      try {
        await this.table.doc.send(
          new PutCommand({
            TableName: this.table.name,
            Item: eventItem(event),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    }
    const reasons = await this.table.transact(writes);
    if (!reasons) return true;
    if (reasons[0]?.Code === CONDITIONAL_CHECK_FAILED) return false;
    throw new Error(`The grant ${event.grantId} of event ${event.eventId} does not exist.`);
  }

  async listEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    return this.table.newestFirst(keys.tenant(tenantId), keys.eventPrefix, page, toEvent);
  }
}
