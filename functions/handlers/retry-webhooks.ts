import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { retryDueDeliveries } from '../use-cases/webhook-delivery.ts';
import { logger } from '../wiring/observability.ts';
import { deliveryDeps } from '../wiring/webhooks.ts';

/**
 * The retry driver: one look at the deliveries whose attempt is due (retries on the schedule,
 * tests, first attempts the stream's sender handed on), their attempts, and a wake-up for the
 * next look when something falls due within the minute. Invoked by those wake-ups (`wake`: the
 * moment asked for) and every minute by a rule, which backs them up. The schedule lives in the
 * table, so a restart or a deploy loses none.
 */
export const handler = async (
  event: { wake?: string } = {},
  context?: Pick<Context, 'invokedFunctionArn'>,
) => {
  const self = context?.invokedFunctionArn ? { functionArn: context.invokedFunctionArn } : undefined;
  const result = await retryDueDeliveries(deliveryDeps(self), randomUUID());
  if (result.attempted > 0) logger.info('webhook retries', { ...result, wake: event.wake ?? null });
  return result;
};
