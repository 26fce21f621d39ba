import { Table } from '../../functions/adapters/dynamodb/table.ts';
import { DynamoWebhooks } from '../../functions/adapters/dynamodb/webhooks.ts';
import { tableStores } from '../../functions/wiring/stores.ts';
import { freshTable } from '../support/table.ts';
import { testCursors } from '../support/use-case-deps.ts';
import { storeContract } from './suite.ts';
import { webhookDeliveryContract } from './webhook-suite.ts';

storeContract('DynamoDB', async () => {
  const table = await freshTable();
  return tableStores(table.doc, table.tableName, testCursors());
});
webhookDeliveryContract('DynamoDB', async () => {
  const table = await freshTable();
  return new DynamoWebhooks(new Table(table.doc, table.tableName, testCursors()));
});
