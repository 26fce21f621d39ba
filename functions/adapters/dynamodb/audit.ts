import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import { ConcurrentModificationError } from '../../domain/errors.ts';
import type { AuditLog, Page, PageRequest } from '../../domain/ports.ts';
import { eventItem, toEvent } from './items.ts';
import { keys } from './keys.ts';
import { guarded, isConditionFailure, type Table } from './table.ts';

class EventExists extends Error {}

/**
 * Appends an event unless one with its id is there already (false then). What support did
 * under a grant is counted on the grant's receipt in the same transaction.
 */
export async function appendEventOnce(table: Table, event: AuditEvent): Promise<boolean> {
  const [put, ...tally] = table.eventWrites(event);
  if (!put) throw new Error('An event is written by one item at least.');
  try {
    if (tally.length === 0) {
      await table.doc.send(
        new PutCommand({
          TableName: table.name,
          Item: eventItem(event),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } else {
      await table.transact(
        [guarded(put, () => new EventExists()), ...tally],
        () => new Error(`The grant ${event.grantId} of event ${event.eventId} does not exist.`),
      );
    }
    return true;
  } catch (error) {
    if (error instanceof EventExists) return false;
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The audit log: append-only event items under the tenant, newest first when read. */
export class DynamoAudit implements AuditLog {
  constructor(private readonly table: Table) {}

  async appendEvent(event: AuditEvent): Promise<void> {
    if (!(await appendEventOnce(this.table, event)))
      throw new ConcurrentModificationError(`The event ${event.eventId} exists already.`);
  }

  async listEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    return this.table.newestFirst(keys.tenant(tenantId), keys.eventPrefix, page, toEvent);
  }
}
