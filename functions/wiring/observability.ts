import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = 'support-access';

/** One logger per process; it never logs tokens, whole events, phone numbers or email bodies. */
export const logger = new Logger({ serviceName });

/**
 * One metrics instance per process (EMF on stdout); a handler's metrics go out by `withMetrics`.
 * Marked pure so that the bundles of functions that publish none (the API's) leave it out.
 */
export const metrics = /* @__PURE__ */ new Metrics({ serviceName });

/**
 * The handler, publishing the metrics it added when it returns and when it throws: a failed
 * invocation's metrics are the ones an alarm needs. One that added none publishes nothing.
 */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await handler(...args);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
