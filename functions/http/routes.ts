import { CONTACT_ENDS_GRANT, READ } from '../needs.ts';
import type { Route } from './route.ts';
import * as s from './schemas.ts';

export type { Route } from './route.ts';

const handler = (file: string) => `functions/handlers/${file}.ts`;

/**
 * The one route table (what a route declares: route.ts). The local gateway and the CDK stack both
 * build their routes from it, so a route cannot exist in one and not the other.
 */
export const routes = [
  {
    name: 'health',
    method: 'GET',
    path: '/health',
    access: 'public',
    entry: handler('health'),
    summary: 'Liveness: 200 once the service is ready.',
    query: s.NoQuery,
    success: { status: 200, schema: 'Health' },
    needs: { table: [] },
  },
  {
    name: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    entry: handler('openapi'),
    summary: 'This API’s OpenAPI 3.1 document.',
    query: s.NoQuery,
    success: { status: 200 },
    needs: { table: [] },
  },
  {
    name: 'eventsSchema',
    method: 'GET',
    path: '/events.schema.json',
    access: 'public',
    entry: handler('events-schema'),
    summary: 'The JSON Schema of the events this service delivers (EventData, one shape per type).',
    query: s.NoQuery,
    success: { status: 200 },
    needs: { table: [] },
  },
  {
    name: 'listContacts',
    method: 'GET',
    path: '/tenants/{tenantId}/contacts',
    access: 'tenant-admin',
    entry: handler('list-contacts'),
    summary: 'The tenant’s authorized support contacts, with a warning while fewer than two can grant.',
    query: s.NoQuery,
    success: { status: 200, schema: 'ContactList' },
    needs: { table: ['Query'] },
  },
  {
    name: 'addContact',
    method: 'POST',
    path: '/tenants/{tenantId}/contacts',
    access: 'tenant-admin',
    entry: handler('add-contact'),
    summary: 'Registers an authorized support contact.',
    body: s.AddContactBody,
    query: s.NoQuery,
    success: { status: 201, schema: 'Contact' },
    // Reads the tenant's contact count (and, before it has one, its contacts); puts contact, email
    // lock and event with the count's update or first write (and checks on the listed contacts).
    needs: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
  },
  {
    name: 'removeContact',
    method: 'DELETE',
    path: '/tenants/{tenantId}/contacts/{contactId}',
    access: 'tenant-admin',
    entry: handler('remove-contact'),
    summary: 'Removes a contact; revokes the active grant at once if they created it.',
    query: s.NoQuery,
    success: { status: 204 },
    // Reads the contact and the active grant; deletes contact + email lock, may end the grant, and
    // otherwise checks that the active grant is still the one it read.
    needs: { table: [...CONTACT_ENDS_GRANT, 'DeleteItem'], schedules: ['DeleteSchedule'] },
  },
  {
    name: 'verifyCaller',
    method: 'POST',
    path: '/tenants/{tenantId}/contacts/verify',
    access: 'support-agent',
    entry: handler('verify-caller'),
    summary: 'Is this caller (by phone or email) a registered contact, and what may they do?',
    body: s.VerifyCallerBody,
    query: s.NoQuery,
    success: { status: 200, schema: 'VerifyAnswer' },
    // Contacts (Query, GetItem), the pointer (GetItem); the event, and under an active grant its
    // count on the grant's receipt in the same transaction (PutItem, UpdateItem).
    needs: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
  },
  {
    name: 'createGrant',
    method: 'POST',
    path: '/tenants/{tenantId}/grants',
    access: 'authorized-contact',
    entry: handler('create-grant'),
    summary: 'Grants the vendor’s support time-limited access.',
    body: s.CreateGrantBody,
    query: s.NoQuery,
    success: { status: 201, schema: 'Grant' },
    // Idempotency record, pointer, grant and event, the contact's check; may first end an overdue grant.
    needs: { table: CONTACT_ENDS_GRANT, schedules: ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule'] },
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Repeat with the same key and body: the first response again, nothing created twice.',
      },
    ],
  },
  {
    name: 'listGrants',
    method: 'GET',
    path: '/tenants/{tenantId}/grants',
    access: 'grant-reader',
    entry: handler('list-grants'),
    summary: 'The tenant’s grants, newest first.',
    query: s.GrantListQuery,
    success: { status: 200, schema: 'GrantPage' },
    needs: { table: READ },
  },
  {
    name: 'getGrant',
    method: 'GET',
    path: '/tenants/{tenantId}/grants/{grantId}',
    access: 'grant-reader',
    entry: handler('get-grant'),
    summary: 'One grant.',
    query: s.NoQuery,
    success: { status: 200, schema: 'Grant' },
    needs: { table: ['GetItem'] },
  },
  {
    name: 'changeGrantDeadline',
    method: 'PATCH',
    path: '/tenants/{tenantId}/grants/{grantId}',
    access: 'authorized-contact',
    entry: handler('change-grant-deadline'),
    summary: 'Extends or shortens an active grant.',
    body: s.ChangeDeadlineBody,
    query: s.NoQuery,
    success: { status: 200, schema: 'Grant' },
    needs: {
      table: ['GetItem', 'UpdateItem', 'PutItem', 'ConditionCheckItem'],
      // The expiry schedule moves; the reminder's moves, appears or goes.
      schedules: ['UpdateSchedule', 'CreateSchedule', 'DeleteSchedule'],
    },
  },
  {
    name: 'revokeGrant',
    method: 'DELETE',
    path: '/tenants/{tenantId}/grants/{grantId}',
    access: 'authorized-contact',
    entry: handler('revoke-grant'),
    summary: 'Ends access now (an ended grant is returned unchanged).',
    query: s.NoQuery,
    success: { status: 200, schema: 'Grant' },
    needs: { table: CONTACT_ENDS_GRANT, schedules: ['DeleteSchedule'] },
  },
  {
    name: 'checkAccess',
    method: 'GET',
    path: '/tenants/{tenantId}/access',
    access: 'support-agent',
    entry: handler('check-access'),
    summary: 'May support access this tenant right now? Recorded in the tenant’s audit log.',
    query: s.NoQuery,
    success: { status: 200, schema: 'AccessAnswer' },
    // One write decides and records (the check stamped on the tenant's access item).
    needs: { table: ['UpdateItem'] },
  },
  {
    name: 'listActiveGrants',
    method: 'GET',
    path: '/access',
    access: 'support-agent',
    entry: handler('list-active-grants'),
    summary: 'All tenants’ active grants, soonest deadline first.',
    query: s.PageQuery,
    success: { status: 200, schema: 'GrantPage' },
    needs: { table: ['Query'], index: true },
  },
  {
    name: 'listAudit',
    method: 'GET',
    path: '/tenants/{tenantId}/audit',
    access: 'tenant-admin',
    entry: handler('list-audit'),
    summary: 'The tenant’s audit log, newest first.',
    query: s.PageQuery,
    success: { status: 200, schema: 'EventPage' },
    needs: { table: ['Query'] },
  },
  {
    name: 'recordActivity',
    method: 'POST',
    path: '/tenants/{tenantId}/activity',
    access: 'support-agent',
    entry: handler('record-activity'),
    summary: 'Records what support did, under the active grant (403 no-active-grant without one).',
    body: s.ActivityBody,
    query: s.NoQuery,
    success: { status: 201, schema: 'ActivityRecorded' },
    // Reads the access pointer; writes the event with a check that the grant is still active and
    // its count on the grant's receipt, in one transaction.
    needs: { table: ['GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
  },
  {
    name: 'grantReceipt',
    method: 'GET',
    path: '/tenants/{tenantId}/grants/{grantId}/receipt',
    access: 'grant-reader',
    entry: handler('grant-receipt'),
    summary:
      'What support did under a grant: checks, verifications, agents, the activities a page at a time, and the audit head.',
    query: s.PageQuery,
    success: { status: 200, schema: 'Receipt' },
    // The grant with its counts and the head (GetItem), its activities (Query on the index).
    needs: { table: ['GetItem', 'Query'], index: true },
  },
  {
    name: 'exportAudit',
    method: 'GET',
    path: '/tenants/{tenantId}/audit/export',
    access: 'tenant-admin',
    entry: handler('export-audit'),
    summary:
      'The chained audit log as NDJSON, oldest first, in pages of at most 1 000 events (header x-next-cursor).',
    query: s.ExportQuery,
    success: { status: 200 },
    needs: { table: ['Query'] },
  },
  {
    name: 'requestInstruction',
    method: 'POST',
    path: '/tenants/{tenantId}/instructions',
    access: 'instructing-contact',
    entry: handler('request-instruction'),
    summary:
      'Gives support an instruction; account deletion waits for a second instructing contact (409 second-contact-required without one).',
    body: s.InstructionBody,
    query: s.NoQuery,
    success: { status: 201, schema: 'Instruction' },
    // The caller's contact (GetItem), the contacts (Query), the instruction and its event with
    // the requester's check; the lapse schedule.
    needs: { table: ['GetItem', 'Query', 'PutItem', 'ConditionCheckItem'], schedules: ['CreateSchedule'] },
  },
  {
    name: 'listInstructions',
    method: 'GET',
    path: '/tenants/{tenantId}/instructions',
    access: 'grant-reader',
    entry: handler('list-instructions'),
    summary: 'The tenant’s instructions, newest first.',
    query: s.PageQuery,
    success: { status: 200, schema: 'InstructionPage' },
    // A contact is known by their email (GetItem); the list (Query).
    needs: { table: ['GetItem', 'Query'] },
  },
  {
    name: 'confirmInstruction',
    method: 'POST',
    path: '/tenants/{tenantId}/instructions/{instructionId}/confirm',
    access: 'instructing-contact',
    entry: handler('confirm-instruction'),
    summary: 'A second instructing contact confirms (the requester cannot: 403 four-eyes-required).',
    query: s.NoQuery,
    success: { status: 200, schema: 'Instruction' },
    needs: { table: ['GetItem', 'PutItem', 'ConditionCheckItem'], schedules: ['DeleteSchedule'] },
  },
  {
    name: 'rejectInstruction',
    method: 'POST',
    path: '/tenants/{tenantId}/instructions/{instructionId}/reject',
    access: 'instructing-contact',
    entry: handler('reject-instruction'),
    summary: 'Any instructing contact rejects a pending instruction.',
    query: s.NoQuery,
    success: { status: 200, schema: 'Instruction' },
    needs: { table: ['GetItem', 'PutItem', 'ConditionCheckItem'], schedules: ['DeleteSchedule'] },
  },
  {
    name: 'completeInstruction',
    method: 'POST',
    path: '/tenants/{tenantId}/instructions/{instructionId}/complete',
    access: 'support-agent',
    entry: handler('complete-instruction'),
    summary: 'A support agent marks a confirmed instruction done, with a note.',
    body: s.CompleteInstructionBody,
    query: s.NoQuery,
    success: { status: 200, schema: 'Instruction' },
    needs: { table: ['GetItem', 'PutItem'] },
  },
  {
    name: 'listConfirmedInstructions',
    method: 'GET',
    path: '/instructions',
    access: 'support-agent',
    entry: handler('list-confirmed-instructions'),
    summary: 'The agents’ queue: every tenant’s confirmed instructions, oldest first.',
    query: s.ConfirmedInstructionsQuery,
    success: { status: 200, schema: 'InstructionPage' },
    needs: { table: ['Query'], index: true },
  },
  {
    name: 'addWebhook',
    method: 'POST',
    path: '/tenants/{tenantId}/webhooks',
    access: 'tenant-admin',
    entry: handler('add-webhook'),
    summary:
      'Registers a webhook (at most 10 per tenant); the answer carries its signing secret, shown this once.',
    body: s.AddWebhookBody,
    query: s.NoQuery,
    success: { status: 201, schema: 'WebhookCreated' },
    // The webhook and its event (PutItem) with the tenant's webhook count (UpdateItem), in one transaction.
    needs: { table: ['PutItem', 'UpdateItem'] },
  },
  {
    name: 'listWebhooks',
    method: 'GET',
    path: '/tenants/{tenantId}/webhooks',
    access: 'tenant-admin',
    entry: handler('list-webhooks'),
    summary: 'The tenant’s webhooks (never their secrets).',
    query: s.NoQuery,
    success: { status: 200, schema: 'WebhookList' },
    needs: { table: ['Query'] },
  },
  {
    name: 'removeWebhook',
    method: 'DELETE',
    path: '/tenants/{tenantId}/webhooks/{webhookId}',
    access: 'tenant-admin',
    entry: handler('remove-webhook'),
    summary: 'Removes a webhook; its pending retries stop.',
    query: s.NoQuery,
    success: { status: 204 },
    // Reads it; deletes it with its event and the count's decrement in one transaction.
    needs: { table: ['GetItem', 'DeleteItem', 'PutItem', 'UpdateItem'] },
  },
  {
    name: 'rotateWebhookSecret',
    method: 'POST',
    path: '/tenants/{tenantId}/webhooks/{webhookId}/rotate-secret',
    access: 'tenant-admin',
    entry: handler('rotate-webhook-secret'),
    summary:
      'A new signing secret, shown this once; for 24 hours every delivery is signed with the new and the previous one.',
    query: s.NoQuery,
    success: { status: 200, schema: 'WebhookSecret' },
    // The webhook (GetItem); its secrets (UpdateItem) and the event (PutItem) in one transaction.
    needs: { table: ['GetItem', 'PutItem', 'UpdateItem'] },
  },
  {
    name: 'testWebhook',
    method: 'POST',
    path: '/tenants/{tenantId}/webhooks/{webhookId}/test',
    access: 'tenant-admin',
    entry: handler('test-webhook'),
    summary:
      'Sends a `webhook.test` delivery to this webhook only (see its deliveries); one pending at a time (a retry it waits for is made now; 409 webhook-test-pending while it is due or being attempted).',
    query: s.NoQuery,
    success: { status: 202, schema: 'WebhookTestAccepted' },
    // The delivery and the webhook's test marker (PutItem) with its lane's count (UpdateItem), in
    // one transaction, or a waiting retry brought forward (UpdateItem); the driver sends it, woken
    // once per slot (the slot's lease: PutItem, UpdateItem).
    needs: { table: ['GetItem', 'PutItem', 'UpdateItem'], wakesRetries: true },
  },
  {
    name: 'listWebhookDeliveries',
    method: 'GET',
    path: '/tenants/{tenantId}/webhooks/{webhookId}/deliveries',
    access: 'tenant-admin',
    entry: handler('list-webhook-deliveries'),
    summary: 'The webhook’s deliveries with their status and attempts, newest first.',
    query: s.PageQuery,
    success: { status: 200, schema: 'DeliveryPage' },
    needs: { table: ['GetItem', 'Query'] },
  },
  {
    name: 'viewActionLink',
    method: 'GET',
    path: '/actions/{token}',
    access: 'public',
    entry: handler('view-action-link'),
    summary:
      'What an emailed one-click link would do (the token is the credential). Changes nothing: mail scanners open links.',
    query: s.NoQuery,
    success: { status: 200, schema: 'ActionLinkView' },
    needs: { table: ['GetItem'] },
  },
  {
    name: 'useActionLink',
    method: 'POST',
    path: '/actions/{token}',
    access: 'public',
    entry: handler('use-action-link'),
    summary:
      'Does what an emailed link says, as its contact, re-checked now; each link works once. End and reject act with the link alone; extend and confirm also need the contact’s own bearer token.',
    query: s.NoQuery,
    success: { status: 200, schema: 'LinkOutcome' },
    verifiesSignIn: true,
    // Reads link, contact and grant; ends or moves the grant (with its event, the contact's
    // check and the link's use in one transaction), or only uses the link; moves the schedules.
    needs: {
      table: [...CONTACT_ENDS_GRANT],
      schedules: ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule'],
    },
  },
] as const satisfies readonly Route[];

export type RouteName = (typeof routes)[number]['name'];

/** The same table, each entry as the general `Route` (for code that treats every route alike). */
export const routeTable: readonly Route[] = routes;

export function route(name: RouteName): Route {
  const found = routes.find((r) => r.name === name);
  if (!found) throw new Error(`no route ${name}`);
  return found;
}

/** API Gateway's route key, e.g. `POST /tenants/{tenantId}/grants`. */
export const routeKey = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;
