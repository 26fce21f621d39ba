import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAudit } from '../adapters/dynamodb/audit.ts';
import { DynamoAuditChain } from '../adapters/dynamodb/chain.ts';
import { DynamoCheckRecords } from '../adapters/dynamodb/checks.ts';
import { DynamoContacts } from '../adapters/dynamodb/contacts.ts';
import type { CursorCodec } from '../adapters/dynamodb/cursor.ts';
import { DynamoGrants } from '../adapters/dynamodb/grants.ts';
import { DynamoIdempotency } from '../adapters/dynamodb/idempotency.ts';
import { DynamoInstructions } from '../adapters/dynamodb/instructions.ts';
import { DynamoNotificationLedger } from '../adapters/dynamodb/ledger.ts';
import { DynamoLinks } from '../adapters/dynamodb/links.ts';
import { DynamoReceipts } from '../adapters/dynamodb/receipts.ts';
import { IndexShards } from '../adapters/dynamodb/shards.ts';
import { Table } from '../adapters/dynamodb/table.ts';
import type { NotificationLedger } from '../domain/ports.ts';
import type { Stores } from '../use-cases/deps.ts';

/** Every store on the one DynamoDB table (docs/data-model.md), and the notification ledger. */
export function tableStores(
  doc: DynamoDBDocumentClient,
  tableName: string,
  cursors: CursorCodec,
  shards: IndexShards = IndexShards.single,
): Stores & { ledger: NotificationLedger } {
  const table = new Table(doc, tableName, cursors);
  return {
    grants: new DynamoGrants(table, shards),
    contacts: new DynamoContacts(table),
    audit: new DynamoAudit(table),
    chain: new DynamoAuditChain(table),
    checks: new DynamoCheckRecords(table),
    receipts: new DynamoReceipts(table),
    instructions: new DynamoInstructions(table),
    links: new DynamoLinks(table),
    idempotency: new DynamoIdempotency(table),
    ledger: new DynamoNotificationLedger(table),
  };
}
