import { dynamoDocumentClient } from '../adapters/aws-clients.ts';
import { CursorCodec, CursorKeyring } from '../adapters/dynamodb/cursor.ts';
import { Table } from '../adapters/dynamodb/table.ts';
import { DynamoWebhooks } from '../adapters/dynamodb/webhooks.ts';
import { readCursorKeys } from '../adapters/secrets.ts';
import { HttpWebhookSender, systemResolve } from '../adapters/webhook-sender.ts';
import { systemClock } from '../domain/clock.ts';
import { ulidGenerator } from '../domain/ids.ts';
import type { AddressPolicy } from '../domain/webhooks.ts';
import type { DeliveryDeps } from '../use-cases/webhook-delivery.ts';
import type { WebhookDeps } from '../use-cases/webhooks.ts';
import { log } from './app.ts';
import { cursorConfig, tableConfig, webhookConfig } from './config.ts';

let store: DynamoWebhooks | undefined;
let deps: WebhookDeps | undefined;
let delivery: DeliveryDeps | undefined;

function webhookStore(): DynamoWebhooks {
  // The cursor key is read on the first list only: the senders list nothing and need no secret.
  store ??= new DynamoWebhooks(
    new Table(
      dynamoDocumentClient(),
      tableConfig().TABLE_NAME,
      new CursorCodec(new CursorKeyring(() => readCursorKeys(cursorConfig().CURSOR_KEY_SECRET_ARN))),
    ),
  );
  return store;
}

const addressPolicy = (): AddressPolicy => ({ allowLoopback: webhookConfig().WEBHOOKS_ALLOW_LOOPBACK });

/** The webhook routes' wiring, once per cold start. */
export function webhookDeps(): WebhookDeps {
  deps ??= {
    webhooks: webhookStore(),
    clock: systemClock,
    ids: ulidGenerator(),
    log,
    addressPolicy: addressPolicy(),
    resolveHost: async (host) => (await systemResolve(host)).map((a) => a.address),
  };
  return deps;
}

/** The senders' wiring (stream consumer and retry driver). */
export function deliveryDeps(): DeliveryDeps {
  delivery ??= {
    webhooks: webhookStore(),
    clock: systemClock,
    log,
    sender: new HttpWebhookSender(addressPolicy()),
  };
  return delivery;
}
