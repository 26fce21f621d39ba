import { BatchGetCommand, type BatchGetCommandOutput, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import type { Page, PageRequest } from '../../domain/ports.ts';
import { eventItem, toEvent } from './items.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';

/** The audit log: append-only event items under the tenant, newest first when read. */
export class DynamoAudit {
  constructor(private readonly table: Table) {}

  async appendEvent(event: AuditEvent): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.name,
        Item: eventItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Appends an event made from a durable record (a check stamp); false when it is there already. */
  async appendEventOnce(event: AuditEvent): Promise<boolean> {
    try {
      await this.appendEvent(event);
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async hasEvent(tenantId: string, eventId: string): Promise<boolean> {
    return (await this.table.getItem(keys.tenant(tenantId), keys.event(eventId))) !== undefined;
  }

  /** Which of these events exist: strongly consistent reads, 100 keys a call. */
  async existingEvents(events: readonly { tenantId: string; eventId: string }[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < events.length; i += 100) {
      let keysLeft: Record<string, unknown>[] | undefined = events
        .slice(i, i + 100)
        .map((e) => ({ pk: keys.tenant(e.tenantId), sk: keys.event(e.eventId) }));
      while (keysLeft && keysLeft.length > 0) {
        const result: BatchGetCommandOutput = await this.table.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table.name]: { Keys: keysLeft, ConsistentRead: true, ProjectionExpression: 'eventId' },
            },
          }),
        );
        for (const item of result.Responses?.[this.table.name] ?? []) found.add(item.eventId as string);
        keysLeft = result.UnprocessedKeys?.[this.table.name]?.Keys;
      }
    }
    return found;
  }

  async listEvents(tenantId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    return this.table.newestFirst(keys.tenant(tenantId), keys.eventPrefix, page, toEvent);
  }
}
