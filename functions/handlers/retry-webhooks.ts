import { randomUUID } from 'node:crypto';
import { RetryDriver } from '../use-cases/webhook-delivery.ts';
import { logger } from '../wiring/observability.ts';
import { deliveryDeps } from '../wiring/webhooks.ts';

/** How often the driver looks for due attempts while it runs (the first retry is due 5 s after). */
const TICK_MS = 1_000;

/**
 * The retry driver, invoked every minute: for most of that minute it looks every second for
 * deliveries whose attempt is due (retries on the schedule, tests, first attempts the stream's
 * sender handed on) and starts them, then waits for the last ones. The schedule lives in the
 * table, so a restart or a deploy loses none.
 */
export const handler = async (event: { runForMs?: number } = {}) => {
  const until = Date.now() + (event.runForMs ?? 50_000);
  const driver = new RetryDriver(deliveryDeps(), randomUUID());
  while (Date.now() < until) {
    await driver.tick();
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await driver.settled();
  if (driver.attempted > 0)
    logger.info('webhook retries', { attempted: driver.attempted, delivered: driver.delivered });
  return { attempted: driver.attempted, delivered: driver.delivered };
};
