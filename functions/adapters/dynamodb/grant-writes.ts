import type { LinkUse } from '../../domain/action-link.ts';
import { LinkUsedError, NotAuthorizedContactError } from '../../domain/errors.ts';
import type { GrantEnding } from '../../domain/ports.ts';
import { keys } from './keys.ts';
import { type GuardedItem, guarded, type Table, type TransactItem } from './table.ts';

/** Transaction items that grant changes share with the changes of other aggregates. */

/** Marks an emailed link used; fails the whole transaction when it was used already. */
export function useLinkItem(table: Table, link: LinkUse): GuardedItem {
  return guarded(
    {
      Update: {
        TableName: table.name,
        Key: { pk: keys.link(link.tokenHash), sk: keys.linkSort },
        UpdateExpression: 'SET usedAt = :usedAt',
        ConditionExpression: 'attribute_exists(pk) AND usedAt = :unused',
        ExpressionAttributeValues: { ':usedAt': link.usedAt, ':unused': null },
      },
    },
    () => new LinkUsedError(),
  );
}

/** The acting contact still exists and may grant access, checked in the same transaction. */
export function contactMayGrant(table: Table, tenantId: string, contactId: string): GuardedItem {
  return guarded(
    {
      ConditionCheck: {
        TableName: table.name,
        Key: { pk: keys.tenant(tenantId), sk: keys.contact(contactId) },
        ConditionExpression: 'attribute_exists(pk) AND canGrantAccess = :true',
        ExpressionAttributeValues: { ':true': true },
      },
    },
    () => new NotAuthorizedContactError(tenantId),
  );
}

/** The grant ends, leaves the tenant's access item, and its event is written. */
export function endGrantItems(table: Table, { before, after, event }: GrantEnding): TransactItem[] {
  return [
    {
      Update: {
        TableName: table.name,
        Key: { pk: keys.tenant(before.tenantId), sk: keys.grant(before.grantId) },
        UpdateExpression:
          'SET #status = :status, endedAt = :endedAt, endedBy = :endedBy, endReason = :endReason, version = :next, ' +
          'remindAt = :none REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'version = :version AND #status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': after.status,
          ':endedAt': after.endedAt,
          ':endedBy': after.endedBy,
          ':endReason': after.endReason,
          ':none': null,
          ':next': after.version,
          ':version': before.version,
          ':active': 'active',
        },
      },
    },
    {
      // The grant leaves the access item; the newest check's stamp stays on it.
      Update: {
        TableName: table.name,
        Key: { pk: keys.tenant(before.tenantId), sk: keys.activePointer() },
        UpdateExpression: 'REMOVE grantId, expiresAt, reason, ticket, version, remindAt, gsi1pk, gsi1sk',
        ConditionExpression: 'grantId = :grantId',
        ExpressionAttributeValues: { ':grantId': before.grantId },
      },
    },
    table.putEvent(event),
  ];
}

/** The tenant's active grant is still `grantId` (null: none). */
export function pointerUnchanged(table: Table, tenantId: string, grantId: string | null): TransactItem {
  const Key = { pk: keys.tenant(tenantId), sk: keys.activePointer() };
  return {
    ConditionCheck:
      grantId === null
        ? { TableName: table.name, Key, ConditionExpression: 'attribute_not_exists(grantId)' }
        : {
            TableName: table.name,
            Key,
            ConditionExpression: 'grantId = :grantId',
            ExpressionAttributeValues: { ':grantId': grantId },
          },
  };
}
