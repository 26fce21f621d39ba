import { dynamoDocumentClient } from '../adapters/aws-clients.ts';
import { schedulerClient } from '../adapters/aws-clients-scheduler.ts';
import { CursorCodec, CursorKeyring } from '../adapters/dynamodb/cursor.ts';
import { Table } from '../adapters/dynamodb/table.ts';
import { DynamoWakeUpSlots } from '../adapters/dynamodb/wake-up-slots.ts';
import { DynamoWebhooks } from '../adapters/dynamodb/webhooks.ts';
import { ScheduledRetryWakeUps } from '../adapters/retry-wake-ups.ts';
import { readCursorKeys } from '../adapters/secrets.ts';
import { HttpWebhookSender, systemResolve } from '../adapters/webhook-sender.ts';
import { systemClock } from '../domain/clock.ts';
import { ulidGenerator } from '../domain/ids.ts';
import type { RetryWakeUps } from '../domain/retry-wake-ups.ts';
import type { AddressPolicy } from '../domain/webhooks.ts';
import type { DeliveryDeps } from '../use-cases/webhook-delivery.ts';
import type { WebhookDeps } from '../use-cases/webhooks.ts';
import { log } from './app.ts';
import { cursorConfig, retryWakeUpConfig, tableConfig, webhookConfig } from './config.ts';

let store: DynamoWebhooks | undefined;
let deps: WebhookDeps | undefined;
let delivery: DeliveryDeps | undefined;

let table: Table | undefined;

function webhookTable(): Table {
  // The cursor key is read on the first list only: the senders list nothing and need no secret.
  table ??= new Table(
    dynamoDocumentClient(),
    tableConfig().TABLE_NAME,
    new CursorCodec(new CursorKeyring(() => readCursorKeys(cursorConfig().CURSOR_KEY_SECRET_ARN))),
  );
  return table;
}

function webhookStore(): DynamoWebhooks {
  store ??= new DynamoWebhooks(webhookTable());
  return store;
}

let scheduled: ScheduledRetryWakeUps | undefined;
/** The retry driver's own ARN, from its invocation's context (the stack cannot put it in its environment). */
let ownArn: string | undefined;

/** Built on the first wake-up: the routes that never wake the driver need neither client nor settings. */
const wakeUps: RetryWakeUps = {
  wakeAt: (at) => {
    if (!scheduled) {
      const config = retryWakeUpConfig();
      const functionArn = config.RETRY_FUNCTION_ARN ?? ownArn;
      if (!functionArn) throw new Error('Invalid configuration: RETRY_FUNCTION_ARN is required');
      scheduled = new ScheduledRetryWakeUps(
        schedulerClient(),
        {
          groupName: config.RETRY_SCHEDULE_GROUP,
          functionArn,
          roleArn: config.RETRY_SCHEDULER_ROLE_ARN,
        },
        systemClock,
        new DynamoWakeUpSlots(webhookTable()),
      );
    }
    return scheduled.wakeAt(at);
  },
};

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
    wakeUps,
  };
  return deps;
}

/** The senders' wiring (stream consumer and retry driver: `self`, its own ARN). */
export function deliveryDeps(self?: { functionArn: string }): DeliveryDeps {
  ownArn ??= self?.functionArn;
  delivery ??= {
    webhooks: webhookStore(),
    clock: systemClock,
    log,
    sender: new HttpWebhookSender(addressPolicy()),
    wakeUps,
  };
  return delivery;
}
