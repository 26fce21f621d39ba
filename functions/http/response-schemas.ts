import { EVENT_DETAILS, EVENT_TYPES, type EventType } from '../domain/event-types.ts';
import * as z from '../validation/zod.ts';
import { described } from './schemas.ts';

/**
 * Response schemas: documentation only (docs/openapi.json). Kept apart from the request
 * schemas so no function builds them at cold start.
 */

const nullableString = () => z.nullable(z.string());

export const Grant = z.object({
  grantId: z.string(),
  tenantId: z.string(),
  status: z.enum(['active', 'revoked', 'expired']),
  reason: z.string(),
  ticket: nullableString(),
  grantedBy: z.object({ contactId: z.string(), name: z.string(), email: z.string() }),
  createdAt: z.string(),
  expiresAt: z.string(),
  endedAt: nullableString(),
  endedBy: z.nullable(described(z.string(), '"system" or an email address.')),
  endReason: z.nullable(z.enum(['revoked', 'expired', 'contact-removed'])),
});

export const Contact = z.object({
  contactId: z.string(),
  tenantId: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string(),
  locale: z.enum(['de', 'en']),
  timeZone: z.string(),
  canGrantAccess: z.boolean(),
  canInstruct: z.boolean(),
  createdAt: z.string(),
});

const eventOf = <K extends EventType>(type: K) =>
  z.object({
    eventId: z.string(),
    at: z.string(),
    type: z.literal(type),
    actor: z.string(),
    grantId: nullableString(),
    details: EVENT_DETAILS[type],
    hash: z.optional(
      described(
        z.string(),
        'SHA-256 (hex) of the previous event’s hash followed by this event’s RFC 8785 JSON (without hash); present once chained, within a minute.',
      ),
    ),
  });

/** One schema per event type, so the union's static type keeps each type with its own details. */
type EventSchema = { [K in EventType]: ReturnType<typeof eventOf<K>> }[EventType];

/** An audit log event: one shape per type, from the one map of event details. */
export const AuditEvent = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map(eventOf) as unknown as [EventSchema, ...EventSchema[]],
);

export const GrantPage = z.object({ grants: z.array(Grant), nextCursor: nullableString() });
export const ContactList = z.object({ contacts: z.array(Contact), warnings: z.array(z.string()) });
export const EventPage = z.object({ events: z.array(AuditEvent), nextCursor: nullableString() });
export const AccessAnswer = z.object({
  tenantId: z.string(),
  access: z.boolean(),
  grant: z.nullable(
    z.object({ grantId: z.string(), expiresAt: z.string(), reason: z.string(), ticket: nullableString() }),
  ),
  checkedAt: z.string(),
});
const ContactSummary = z.object({ name: z.string(), canGrantAccess: z.boolean(), canInstruct: z.boolean() });
export const VerifyAnswer = z.object({
  authorized: z.boolean(),
  contact: z.nullable(ContactSummary),
  matches: z.array(ContactSummary),
});
const ContactRef = z.object({ contactId: z.string(), name: z.string(), email: z.string() });
export const Instruction = z.object({
  instructionId: z.string(),
  tenantId: z.string(),
  kind: z.enum(['account-deletion', 'data-export', 'other']),
  details: z.string(),
  status: z.enum(['pending-confirmation', 'confirmed', 'rejected', 'lapsed', 'done']),
  requestedBy: ContactRef,
  confirmedBy: z.nullable(ContactRef),
  rejectedBy: z.nullable(ContactRef),
  createdAt: z.string(),
  confirmBy: nullableString(),
  completedAt: nullableString(),
  completedBy: nullableString(),
  note: nullableString(),
});
export const ActionLinkView = z.object({
  action: z.enum(['end', 'extend', 'confirm-instruction', 'reject-instruction']),
  extendBySeconds: z.optional(described(z.int(), 'Extend links: how far the current deadline moves.')),
  signInRequired: described(
    z.boolean(),
    'True for extend and confirm links: they act only for their contact, signed in as themselves.',
  ),
  tenantId: z.string(),
  grant: z.optional(described(Grant, 'For end and extend links.')),
  instruction: z.optional(described(Instruction, 'For confirm and reject links.')),
  contact: z.object({
    name: z.string(),
    email: z.string(),
    locale: described(z.enum(['de', 'en']), 'The language the confirmation page speaks.'),
  }),
});
export const ActivityRecorded = z.object({ eventId: z.string(), at: z.string(), grantId: z.string() });
export const Receipt = z.object({
  grant: Grant,
  accessChecks: z.int(),
  callerVerifications: z.int(),
  agents: z.array(z.string()),
  activities: z.array(
    described(
      eventOf('support.activity'),
      'One page of the support.activity events, oldest first (`limit`, `cursor`).',
    ),
  ),
  activityCount: described(z.int(), 'How many activities the grant has in all.'),
  nextCursor: nullableString(),
  auditHead: z.nullable(
    described(z.string(), 'The tenant’s newest chained hash: keep it to verify an export later.'),
  ),
});
export const InstructionPage = z.object({ instructions: z.array(Instruction), nextCursor: nullableString() });
/** What a used link changed: the grant it ended or moved, or the instruction it confirmed or rejected. */
export const LinkOutcome = z.union([Grant, Instruction]);
export const Webhook = z.object({
  webhookId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  format: z.enum(['standard', 'slack']),
  locale: z.enum(['de', 'en']),
  description: nullableString(),
  createdAt: z.string(),
  createdBy: z.string(),
});
const secret = described(
  z.string(),
  '`whsec_` + base64 of 32 random bytes: verify deliveries with it (Standard Webhooks). Returned only here.',
);
export const WebhookCreated = z.object({ ...Webhook.shape, secret });
export const WebhookList = z.object({ webhooks: z.array(Webhook) });
export const WebhookSecret = z.object({ secret });
export const WebhookTestAccepted = z.object({
  eventId: described(z.string(), 'The test delivery’s webhook-id, as its deliveries list shows it.'),
});
export const Delivery = z.object({
  eventId: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.int(),
  lastAttemptAt: nullableString(),
  nextAttemptAt: nullableString(),
  responseStatus: z.nullable(z.int()),
  error: z.nullable(
    described(
      z.string(),
      'Why the last attempt failed: forbidden-address, timeout, connection-refused, unexpected-status, webhook-removed, …',
    ),
  ),
});
export const DeliveryPage = z.object({ deliveries: z.array(Delivery), nextCursor: nullableString() });
export const Health = z.object({ status: z.literal('ok') });
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  code: z.string(),
  detail: z.string(),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  activeGrantId: z.optional(z.string()),
});

export const RESPONSES = {
  Health,
  ContactList,
  Contact,
  VerifyAnswer,
  Grant,
  GrantPage,
  AccessAnswer,
  EventPage,
  ActionLinkView,
  LinkOutcome,
  ActivityRecorded,
  Receipt,
  Instruction,
  InstructionPage,
  WebhookCreated,
  WebhookList,
  WebhookSecret,
  WebhookTestAccepted,
  DeliveryPage,
};
export type ResponseName = keyof typeof RESPONSES;
