import { DELIVERABLE_EVENT_TYPES } from '../domain/audit.ts';
import type { CallerIdentity } from '../domain/contact.ts';
import { LOCALES } from '../domain/contact.ts';
import { REASON_MAX, TICKET_MAX } from '../domain/grant.ts';
import { WEBHOOK_DESCRIPTION_MAX, WEBHOOK_FORMATS, WEBHOOK_URL_MAX } from '../domain/webhook-fields.ts';
import * as z from '../validation/zod.ts';

/**
 * Request and response schemas: validation at the edge, and the source of docs/openapi.json.
 * Every request schema is built on first use, so a function builds its own route's alone (the
 * route table names them all; building them all took a share of every cold start).
 */
const lazy = <T>(build: () => T): (() => T) => {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
};

export const described = <T extends z.ZodMiniType>(schema: T, description: string): T =>
  schema.check(z.meta({ description })) as T;

const deadline = () => ({
  expiresAt: z.optional(
    described(
      z.iso.datetime({ offset: true }),
      'ISO 8601 date-time; any offset accepted, answers are UTC with milliseconds.',
    ),
  ),
  durationSeconds: z.optional(
    described(
      z.int(),
      'Seconds from now (integer JSON number). Give exactly one of expiresAt/durationSeconds.',
    ),
  ),
});

export const CreateGrantBody = lazy(() =>
  z.strictObject({
    reason: described(z.string(), `1–${REASON_MAX} characters after trimming.`),
    ticket: z.optional(
      z.nullable(described(z.string(), `1–${TICKET_MAX} characters after trimming, or null.`)),
    ),
    ...deadline(),
  }),
);

export const ChangeDeadlineBody = lazy(() => z.strictObject(deadline()));

export const AddContactBody = lazy(() =>
  z.strictObject({
    name: described(z.string(), '1–200 characters after trimming.'),
    email: z.email().check(z.maxLength(254)),
    phone: described(
      z.string().check(z.maxLength(64)),
      'Normalised to E.164; national numbers are read as German (+49).',
    ),
    locale: z.optional(described(z.enum(LOCALES), 'Defaults to "de".')),
    timeZone: z.optional(
      described(
        z.string().check(z.maxLength(64)),
        'IANA time zone in which this contact’s emails show times, e.g. "Europe/Berlin" (the default).',
      ),
    ),
    canGrantAccess: z.optional(described(z.boolean(), 'Defaults to true.')),
    canInstruct: z.optional(described(z.boolean(), 'Defaults to true.')),
  }),
);

export const VerifyCallerBody = lazy(() =>
  z.pipe(
    z
      .strictObject({
        phone: z.optional(z.string().check(z.maxLength(64))),
        email: z.optional(z.string().check(z.maxLength(254))),
      })
      .check(
        z.refine((b) => (b.phone === undefined) !== (b.email === undefined), {
          message: 'Give exactly one of phone or email.',
          path: ['phone'],
        }),
      ),
    // Exactly one is there (checked above): the caller is named by it alone.
    z.transform(
      (b): CallerIdentity => (b.email === undefined ? { phone: b.phone ?? '' } : { email: b.email }),
    ),
  ),
);

const limit = () =>
  z.optional(
    described(
      z.pipe(
        z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, 'limit must be an integer from 1 to 100')),
        z.transform(Number),
      ),
      'Page size, 1–100, default 50.',
    ),
  );
const cursor = () => z.optional(described(z.string(), 'Opaque cursor from a previous page’s nextCursor.'));

export const PageQuery = lazy(() => z.strictObject({ limit: limit(), cursor: cursor() }));
export const GrantListQuery = lazy(() =>
  z.strictObject({
    limit: limit(),
    cursor: cursor(),
    status: z.optional(z.enum(['active', 'ended'])),
  }),
);
export const NoQuery = lazy(() => z.strictObject({}));

export const ActivityBody = lazy(() =>
  z.strictObject({
    action: described(
      z.string().check(z.maxLength(1000)),
      'What support did, 1–200 characters after trimming.',
    ),
    target: z.optional(
      z.nullable(
        described(z.string().check(z.maxLength(1000)), 'What it was done to, up to 200 characters.'),
      ),
    ),
    ticket: z.optional(z.nullable(described(z.string().check(z.maxLength(1000)), 'Up to 100 characters.'))),
  }),
);
export const ExportQuery = lazy(() => z.strictObject({ cursor: cursor() }));

export const InstructionBody = lazy(() =>
  z.strictObject({
    kind: z.enum(['account-deletion', 'data-export', 'other']),
    details: described(z.string().check(z.maxLength(8000)), '1–2 000 characters after trimming.'),
  }),
);
export const CompleteInstructionBody = lazy(() =>
  z.strictObject({
    note: z.optional(z.nullable(described(z.string().check(z.maxLength(8000)), 'Up to 2 000 characters.'))),
  }),
);
export const ConfirmedInstructionsQuery = lazy(() =>
  z.strictObject({
    limit: limit(),
    cursor: cursor(),
    status: described(z.literal('confirmed'), 'The agents’ queue: confirmed instructions, oldest first.'),
  }),
);
export const AddWebhookBody = lazy(() =>
  z.strictObject({
    url: described(
      z.string().check(z.maxLength(WEBHOOK_URL_MAX)),
      'https URL without user info whose host is, and resolves to, only public addresses; a slack webhook’s host is hooks.slack.com.',
    ),
    eventTypes: z.optional(
      described(
        z
          .array(z.enum(DELIVERABLE_EVENT_TYPES))
          .check(z.minLength(1), z.maxLength(DELIVERABLE_EVENT_TYPES.length)),
        'The event types to deliver (default all).',
      ),
    ),
    format: z.optional(described(z.enum(WEBHOOK_FORMATS), 'Defaults to "standard" (Standard Webhooks).')),
    locale: z.optional(described(z.enum(LOCALES), 'The language of slack messages; defaults to "en".')),
    description: z.optional(
      z.nullable(
        described(
          z.string().check(z.maxLength(WEBHOOK_DESCRIPTION_MAX)),
          `Up to ${WEBHOOK_DESCRIPTION_MAX} characters.`,
        ),
      ),
    ),
  }),
);
