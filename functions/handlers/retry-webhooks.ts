import { randomUUID } from 'node:crypto';
import { retryDueDeliveries } from '../use-cases/webhooks.ts';
import { logger } from '../wiring/app.ts';
import { deliveryDeps } from '../wiring/webhooks.ts';

/** How often the driver looks for due attempts while it runs (the first retry is due 5 s after). */
const TICK_MS = 2_000;

/**
 * The retry driver, invoked every minute: for most of that minute it looks every two seconds for
 * deliveries whose attempt is due (retries on the schedule, tests, attempts whose sender stopped
 * before recording them) and makes them. The schedule lives in the table, so a restart or a
 * deploy loses none.
 */
export const handler = async (event: { runForMs?: number } = {}) => {
  const runFor = event.runForMs ?? 50_000;
  const until = Date.now() + runFor;
  const claim = randomUUID();
  let attempted = 0;
  let delivered = 0;
  for (;;) {
    const result = await retryDueDeliveries(deliveryDeps(), claim);
    attempted += result.attempted;
    delivered += result.delivered;
    if (Date.now() + TICK_MS >= until) break;
    if (result.due < 100) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  if (attempted > 0) logger.info('webhook retries', { attempted, delivered });
  return { attempted, delivered };
};
