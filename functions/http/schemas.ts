import { z } from 'zod';
import { LOCALES } from '../domain/contact.ts';
import { REASON_MAX, TICKET_MAX } from '../domain/grant.ts';

/** Request and response schemas: validation at the edge, and the source of docs/openapi.json. */

const isoDateTime = z.iso
  .datetime({ offset: true })
  .meta({ description: 'ISO 8601 date-time; any offset accepted, answers are UTC with milliseconds.' });
const deadline = {
  expiresAt: isoDateTime.optional(),
  durationSeconds: z.number().int().optional().meta({
    description: 'Seconds from now (integer JSON number). Give exactly one of expiresAt/durationSeconds.',
  }),
};

export const CreateGrantBody = z.strictObject({
  reason: z.string().meta({ description: `1–${REASON_MAX} characters after trimming.` }),
  ticket: z
    .string()
    .nullable()
    .optional()
    .meta({ description: `1–${TICKET_MAX} characters after trimming, or null.` }),
  ...deadline,
});

export const ChangeDeadlineBody = z.strictObject(deadline);

export const AddContactBody = z.strictObject({
  name: z.string().meta({ description: '1–200 characters after trimming.' }),
  email: z.email().max(254),
  phone: z
    .string()
    .max(64)
    .meta({ description: 'Normalised to E.164; national numbers are read as German (+49).' }),
  locale: z
    .enum(LOCALES as [string, ...string[]])
    .optional()
    .meta({ description: 'Defaults to "de".' }),
  canGrantAccess: z.boolean().optional().meta({ description: 'Defaults to true.' }),
  canInstruct: z.boolean().optional().meta({ description: 'Defaults to true.' }),
});

export const VerifyCallerBody = z
  .strictObject({ phone: z.string().max(64).optional(), email: z.string().max(254).optional() })
  .refine((b) => (b.phone === undefined) !== (b.email === undefined), {
    message: 'Give exactly one of phone or email.',
    path: ['phone'],
  });

const limit = z
  .string()
  .regex(/^(100|[1-9][0-9]?)$/, 'limit must be an integer from 1 to 100')
  .transform(Number)
  .optional()
  .meta({ description: 'Page size, 1–100, default 50.' });
const cursor = z
  .string()
  .optional()
  .meta({ description: 'Opaque cursor from a previous page’s nextCursor.' });

export const PageQuery = z.strictObject({ limit, cursor });
export const GrantListQuery = z.strictObject({
  limit,
  cursor,
  status: z.enum(['active', 'ended']).optional(),
});
export const NoQuery = z.strictObject({});

// ---- responses (documentation) --------------------------------------------------------------

export const Grant = z.object({
  grantId: z.string(),
  tenantId: z.string(),
  status: z.enum(['active', 'revoked', 'expired']),
  reason: z.string(),
  ticket: z.string().nullable(),
  grantedBy: z.object({ contactId: z.string(), name: z.string(), email: z.string() }),
  createdAt: z.string(),
  expiresAt: z.string(),
  endedAt: z.string().nullable(),
  endedBy: z.string().nullable().meta({ description: '"system" or an email address.' }),
  endReason: z.enum(['revoked', 'expired', 'contact-removed']).nullable(),
});

export const Contact = z.object({
  contactId: z.string(),
  tenantId: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string(),
  locale: z.enum(['de', 'en']),
  canGrantAccess: z.boolean(),
  canInstruct: z.boolean(),
  createdAt: z.string(),
});

export const AuditEvent = z.object({
  eventId: z.string(),
  at: z.string(),
  type: z.string(),
  actor: z.string(),
  grantId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const GrantPage = z.object({ grants: z.array(Grant), nextCursor: z.string().nullable() });
export const ContactList = z.object({ contacts: z.array(Contact), warnings: z.array(z.string()) });
export const EventPage = z.object({ events: z.array(AuditEvent), nextCursor: z.string().nullable() });
export const AccessAnswer = z.object({
  tenantId: z.string(),
  access: z.boolean(),
  grant: z
    .object({ grantId: z.string(), expiresAt: z.string(), reason: z.string(), ticket: z.string().nullable() })
    .nullable(),
  checkedAt: z.string(),
});
export const VerifyAnswer = z.object({
  authorized: z.boolean(),
  contact: z.object({ name: z.string(), canGrantAccess: z.boolean(), canInstruct: z.boolean() }).nullable(),
});
export const Health = z.object({ status: z.literal('ok') });
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  activeGrantId: z.string().optional(),
});
