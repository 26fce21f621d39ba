import { tableStores } from '../../functions/wiring/stores.ts';
import { freshTable } from '../support/table.ts';
import { testCursors } from '../support/use-case-deps.ts';
import { storeContract } from './suite.ts';

storeContract('DynamoDB', async () => {
  const table = await freshTable();
  return tableStores(table.doc, table.tableName, testCursors());
});
