import { dynamoDocumentClient } from '../adapters/aws-clients.ts';
import { CursorCodec, CursorKeyring } from '../adapters/dynamodb/cursor.ts';
import { IndexShards } from '../adapters/dynamodb/shards.ts';
import { readCursorKeys } from '../adapters/secrets.ts';
import { systemClock } from '../domain/clock.ts';
import { ulidGenerator } from '../domain/ids.ts';
import type { Log, NotificationLedger } from '../domain/ports.ts';
import type { Deps, Stores } from '../use-cases/deps.ts';
import { cursorConfig, grantPolicy, tableConfig } from './config.ts';
import { logger } from './observability.ts';
import { tableStores } from './stores.ts';

let deps: Deps | undefined;
let stores: (Stores & { ledger: NotificationLedger }) | undefined;

export const log: Log = {
  info: (message, extra = {}) => logger.info(message, extra),
  warn: (message, extra = {}) => logger.warn(message, extra),
  error: (message, extra = {}) => logger.error(message, extra),
};

/** The stores on the function's table, built once per cold start. */
export function appStores(): Stores & { ledger: NotificationLedger } {
  const table = tableConfig();
  if (!stores) {
    const secretId = cursorConfig().CURSOR_KEY_SECRET_ARN;
    // Read on the first list (not at init, where the extension does not answer yet), then kept.
    const keys = new CursorKeyring(() => readCursorKeys(secretId));
    stores = tableStores(
      dynamoDocumentClient(),
      table.TABLE_NAME,
      new CursorCodec(keys),
      new IndexShards(table.ACTIVE_INDEX_SHARDS),
    );
  }
  return stores;
}

/**
 * Plain constructor wiring, once per cold start: SDK clients, adapters and use-case
 * dependencies. Built on first use so that a function that needs no table (health) does not
 * need its configuration. Functions whose entry needs the Scheduler are wired with
 * `schedulingDeps()` (scheduling.ts); the others never load its client, and the types keep them
 * from calling a use case that schedules.
 */
export function appDeps(): Deps {
  deps ??= {
    ...appStores(),
    clock: systemClock,
    ids: ulidGenerator(),
    policy: grantPolicy(),
    log,
  };
  return deps;
}
