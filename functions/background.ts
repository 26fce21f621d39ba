/**
 * The functions that no route invokes, in one list for the CDK stack, the local runtime and the
 * benchmarks (the HTTP functions are the route table's).
 */
export const BACKGROUND_FUNCTIONS = {
  expireGrant: {
    entry: 'functions/handlers/expire-grant.ts',
    description: 'Ends a grant at its deadline (invoked by its one-time schedule)',
  },
  sweep: {
    entry: 'functions/handlers/sweep.ts',
    description: 'Safety net: every minute, ends any active grant past its deadline',
  },
  notify: {
    entry: 'functions/handlers/notify.ts',
    description: 'Emails every contact about each grant event (the table stream is the outbox)',
  },
} as const;

export type BackgroundFunctionName = keyof typeof BACKGROUND_FUNCTIONS;
