import * as z from '../validation/zod.ts';
import { DELIVERABLE_EVENT_TYPES, type DeliverableEventType } from './audit.ts';
import { LOCALES } from './contact.ts';
import { INSTRUCTION_KINDS } from './instruction.ts';
import { WEBHOOK_FORMATS } from './webhooks.ts';

/**
 * What each event carries in `details`: the one definition of the event types. The domain's
 * `AuditEvent` union, the published JSON Schema (docs/events.schema.json, `GET
 * /events.schema.json`) and the OpenAPI schema of `Event` are derived from it, and the tests hold
 * every written event to it. Objects are strict, so a writer that adds a field fails the tests
 * until the field is declared here (and published). A new type added here fails to compile in
 * every reader that does not handle it yet (mails, notifier links, sentences, OpenAPI).
 */

const timestamp = z.iso.datetime();

const person = z.strictObject({ contactId: z.string(), name: z.string(), email: z.string() });

/** `grantDetails`: what every grant event records. */
const grant = {
  reason: z.string(),
  ticket: z.nullable(z.string()),
  expiresAt: timestamp,
  grantedBy: person,
};

/** Present when the change came through a one-click link in an email. */
const channel = { channel: z.optional(z.literal('email-link')) };

const contact = {
  contactId: z.string(),
  name: z.string(),
  email: z.string(),
  locale: z.enum(LOCALES),
  timeZone: z.string(),
};

const instruction = z.strictObject({
  instructionId: z.string(),
  kind: z.enum(INSTRUCTION_KINDS),
  details: z.string(),
  status: z.enum(['pending-confirmation', 'confirmed', 'rejected', 'lapsed', 'done']),
  requestedBy: person,
  confirmedBy: z.nullable(person),
  rejectedBy: z.nullable(person),
  confirmBy: z.nullable(timestamp),
  completedBy: z.nullable(z.string()),
  note: z.nullable(z.string()),
});

/** The log's record of one mail about an event to one contact. */
const mail = {
  recipient: z.string(),
  contactId: z.string(),
  eventId: z.string(),
  /** The type of the event the mail was about. */
  eventType: z.string(),
};

export const EVENT_DETAILS = {
  'contact.added': z.strictObject({ ...contact, canGrantAccess: z.boolean(), canInstruct: z.boolean() }),
  'contact.removed': z.strictObject(contact),
  'grant.created': z.strictObject(grant),
  'grant.extended': z.strictObject({ ...grant, previousExpiresAt: timestamp, ...channel }),
  'grant.revoked': z.strictObject({
    ...grant,
    endedAt: timestamp,
    endReason: z.enum(['revoked', 'contact-removed']),
    ...channel,
    /** Who removed the contact whose removal ended the grant (endReason `contact-removed`). */
    removedBy: z.optional(z.string()),
  }),
  'grant.expired': z.strictObject({
    ...grant,
    endedAt: timestamp,
    endReason: z.literal('expired'),
    lateByMs: z.int(),
  }),
  'grant.expiring': z.strictObject({ ...grant, remindAt: timestamp }),
  'access.checked': z.strictObject({ access: z.boolean(), checkedAt: timestamp }),
  'contact.verified': z.strictObject({
    by: z.enum(['phone', 'email']),
    authorized: z.boolean(),
    contactId: z.nullable(z.string()),
    matches: z.array(z.string()),
  }),
  'support.activity': z.strictObject({
    action: z.string(),
    target: z.nullable(z.string()),
    ticket: z.nullable(z.string()),
  }),
  'instruction.requested': instruction,
  'instruction.confirmed': instruction,
  'instruction.rejected': instruction,
  'instruction.lapsed': instruction,
  'instruction.completed': instruction,
  'webhook.added': z.strictObject({
    webhookId: z.string(),
    /** Only the scheme and host (`https://siem.example/…`): a path or query may hold a credential. */
    url: z.string(),
    /** Deliverable event types (a plain string list here: the types are defined by this very map). */
    eventTypes: z.array(z.string()),
    format: z.enum(WEBHOOK_FORMATS),
  }),
  'webhook.removed': z.strictObject({ webhookId: z.string(), url: z.string() }),
  'webhook.secret-rotated': z.strictObject({ webhookId: z.string(), previousSecretValidUntil: timestamp }),
  'notification.sent': z.strictObject({ ...mail, messageId: z.string() }),
  'notification.failed': z.strictObject({ ...mail, attempts: z.int(), error: z.string() }),
} as const satisfies Record<string, z.ZodMiniType>;

export type EventType = keyof typeof EVENT_DETAILS;

/** Every event type, in the order of EVENT_DETAILS. */
export const EVENT_TYPES = Object.keys(EVENT_DETAILS) as EventType[];

/** The `details` of an event of type K. */
export type EventDetails<K extends EventType> = z.infer<(typeof EVENT_DETAILS)[K]>;

const eventDataOf = <T extends DeliverableEventType>(type: T) =>
  z.strictObject({
    tenantId: z.string(),
    eventId: z.string(),
    at: timestamp,
    type: z.literal(type),
    actor: z.string(),
    grantId: z.nullable(z.string()),
    details: EVENT_DETAILS[type],
  });

/** EventData of every deliverable type, told apart by `type`. */
export const EventDataSchema = z.discriminatedUnion(
  'type',
  DELIVERABLE_EVENT_TYPES.map(eventDataOf) as unknown as [
    ReturnType<typeof eventDataOf>,
    ...ReturnType<typeof eventDataOf>[],
  ],
);

/** The published JSON Schema (draft 2020-12) of EventData: one `oneOf` branch per type. */
export function eventsJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(EventDataSchema) as Record<string, unknown>;
  return {
    $schema,
    title: 'EventData',
    description:
      'A deliverable event of support access grants, as the event bus (Detail) and webhooks (data) carry it; `type` selects the shape of `details`.',
    ...schema,
  };
}

export function eventsJsonSchemaText(): string {
  return `${JSON.stringify(eventsJsonSchema(), null, 2)}\n`;
}
