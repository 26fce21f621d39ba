import { END_GRANT, type FunctionNeeds } from './needs.ts';

/**
 * The functions that no route invokes, in one list for the CDK stack, the local runtime and the
 * benchmarks (the HTTP functions are the route table's).
 */
export const BACKGROUND_FUNCTIONS = {
  expireGrant: {
    entry: 'functions/handlers/expire-grant.ts',
    description:
      'Ends a grant at its deadline, and reminds its contacts before (invoked by its one-time schedules)',
    needs: { table: END_GRANT },
  },
  sweep: {
    entry: 'functions/handlers/sweep.ts',
    description: 'Safety net: every minute, ends any active grant past its deadline and sends due reminders',
    needs: { table: [...END_GRANT, 'Query'], index: true, schedules: ['DeleteSchedule'] },
  },
  notify: {
    entry: 'functions/handlers/notify.ts',
    description: 'Emails every contact about each grant and contact event (the table stream is the outbox)',
    // Contacts (Query), the ledger (UpdateItem) and its events (PutItem in a transaction), the
    // emailed links (PutItem in a transaction).
    // Receipts in the end emails: the grant's counts and the audit head (GetItem), the first
    // activities (Query on the index).
    needs: { table: ['Query', 'UpdateItem', 'PutItem', 'GetItem'], index: true },
  },
  recordChecks: {
    entry: 'functions/handlers/record-checks.ts',
    description: 'Writes the audit event of every access check stamped on a tenant (on the table stream)',
    // The checks' events (PutItem), their grant's receipt counts (UpdateItem, GetItem when a run
    // was partly counted); the tenant's check mark (UpdateItem, GetItem when it could not move).
    needs: { table: ['PutItem', 'UpdateItem', 'GetItem'] },
  },
  chainAudit: {
    entry: 'functions/handlers/chain-audit.ts',
    description: 'Chains the settled audit events of each tenant into its hash chain (on the table stream)',
    // The stamp counts and check marks (BatchGetItem), the head (GetItem; PutItem in a
    // transaction), the events to chain (Query, UpdateItem), its notes to come back (PutItem).
    needs: { table: ['BatchGetItem', 'GetItem', 'Query', 'UpdateItem', 'PutItem'] },
  },
  publishEvents: {
    entry: 'functions/handlers/publish-events.ts',
    description: "Puts every deliverable event on the vendor's event bus (on the table stream)",
    // Nothing in the table: the stream hands it the events; it puts them on the bus.
    needs: { table: [], eventBus: true },
  },
  deliverWebhooks: {
    entry: 'functions/handlers/deliver-webhooks.ts',
    description:
      "Delivers every deliverable event to its tenant's webhooks, first attempt at once (on the table stream)",
    // The tenant's webhooks (Query) and whether it is held (GetItem), the batch's deliveries with
    // their first attempts (PutItem, in transactions with their lanes' counts: UpdateItem), an
    // endpoint's failing mark and its tenant's hold (UpdateItem); the retry driver woken for what
    // was handed on and for a failed first attempt's retry, once per slot (its lease: PutItem,
    // UpdateItem).
    needs: { table: ['Query', 'GetItem', 'PutItem', 'UpdateItem'], wakesRetries: true },
  },
  retryWebhooks: {
    entry: 'functions/handlers/retry-webhooks.ts',
    description:
      'One look at the webhook attempts that are due (retries, tests), when woken for them and every minute',
    // The lanes wanting a look and an endpoint's due deliveries (Query on the index), a lane's
    // lease and a delivery's claim (UpdateItem), the webhook (GetItem), the attempt's record
    // (PutItem, with its lane's count when it ends the delivery); its next look's wake-up and the
    // slot's lease (PutItem, UpdateItem).
    needs: { table: ['Query', 'UpdateItem', 'GetItem', 'PutItem'], index: true, wakesRetries: true },
  },
} as const satisfies Record<string, { entry: string; description: string; needs: FunctionNeeds }>;

export type BackgroundFunctionName = keyof typeof BACKGROUND_FUNCTIONS;
