import type { Locale } from '../functions/domain/contact.ts';
import type { EventDetails } from '../functions/domain/event-types.ts';
import type { OutgoingEmail } from '../functions/domain/ports.ts';
import {
  type MailLinks,
  type MailReceipt,
  type NotifiedEvent,
  notificationEmail,
  type Recipient,
} from '../functions/email/templates.ts';
import { activityLine } from '../functions/use-cases/audit.ts';

/** One mail of the gallery: a file name, what it shows, and the mail. */
export interface SampleMail {
  name: string;
  title: string;
  locale: Locale;
  email: OutgoingEmail;
}

const CONSOLE = 'https://support-access.vendor.example';
const TOKEN = 'q7Vd2mZkX9pL4tRb8sNw1cHy6uEa3fGj0oKiT5xYzQe';
/** A link as the notifier makes it: the console's address and a 43-character token. */
const link = (seed: string) => `${CONSOLE}/act#${`${seed}${TOKEN}`.slice(0, TOKEN.length)}`;

/** The people of the gallery: a long name, a name with an emoji, a name written right to left. */
const PEOPLE = {
  long: {
    name: 'Maximiliane Alexandra Theresia von Hohenzollern-Sigmaringen',
    email: 'maximiliane.von.hohenzollern-sigmaringen@payroll-services.example',
  },
  emoji: { name: 'Jörg Müller 🚀', email: 'joerg.mueller@acme.example' },
  rtl: { name: 'ليلى حداد', email: 'layla.haddad@acme.example' },
} as const;

const RECIPIENTS: Record<Locale, Recipient> = {
  de: {
    contactId: 'c-de',
    ...PEOPLE.long,
    locale: 'de',
    timeZone: 'Europe/Berlin',
  },
  en: {
    contactId: 'c-en',
    ...PEOPLE.rtl,
    locale: 'en',
    timeZone: 'Europe/London',
  },
};

const ACTIONS = [
  ['opened payroll run 2026-10', 'tenant acme'],
  ['reset 2FA of user', 'ben@acme.example'],
  ['exported invoice', 'INV-2026-0017'],
  ['re-ran failed export', 'export job 88213'],
  ['viewed audit settings', null],
] as const;

/** What support did: so many activities by two agents (the mail lists the first 20), or nothing. */
function receipt(activityCount: number): MailReceipt {
  const activities = Array.from({ length: Math.min(20, activityCount) }, (_, i) => {
    const [action, target] = ACTIONS[i % ACTIONS.length] ?? ACTIONS[0];
    return activityLine({
      at: new Date(Date.UTC(2026, 11, 1, 9, 5 + i * 7)).toISOString(),
      actor: i % 3 === 2 ? 'kim.nguyen@vendor.example' : 'agent.smith@vendor.example',
      details: { action, target, ticket: 'SUP-4711' },
    });
  });
  return {
    accessChecks: activityCount ? 31 : 0,
    callerVerifications: activityCount ? 2 : 0,
    agents: activityCount ? ['agent.smith@vendor.example', 'kim.nguyen@vendor.example'] : [],
    activities,
    moreActivities: Math.max(0, activityCount - activities.length),
    url: `${CONSOLE}/?receipt=01KBCD6Z1X7Q8M2N4P5R6S7T8V`,
    auditHead: '9f2e7604c1d3b5a8e7f60192a4b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6',
  };
}

const GRANT = {
  reason: 'Invoice export fails for March — customer needs it before the board meeting',
  ticket: 'SUP-4711',
  grantedBy: { contactId: 'c-joerg', ...PEOPLE.emoji },
  expiresAt: '2026-12-02T16:00:00.000Z',
};

const INSTRUCTION: EventDetails<'instruction.requested'> = {
  instructionId: 'I1',
  kind: 'account-deletion',
  details:
    'Please delete the user account of our former employee Tobias Berger (tobias.berger@acme.example),\nincluding his saved reports.\n\nThe payroll history must be kept.',
  status: 'pending-confirmation',
  requestedBy: { contactId: 'c-joerg', ...PEOPLE.emoji },
  confirmedBy: null,
  rejectedBy: null,
  confirmBy: '2026-12-04T10:00:00.000Z',
  completedBy: null,
  note: null,
};

type Sample = [name: string, title: string, event: NotifiedEvent, links: MailLinks, receipt?: MailReceipt];

function samples(recipient: Recipient): Sample[] {
  const by = { tenantId: 'acme', actor: PEOPLE.emoji.email };
  const admin = { tenantId: 'acme', actor: 'admin@acme.example' };
  const self = { ...recipient, canGrantAccess: true, canInstruct: false };
  const other = {
    contactId: 'c-other',
    ...PEOPLE.emoji,
    locale: 'de' as const,
    timeZone: 'Europe/Berlin',
    canGrantAccess: true,
    canInstruct: true,
  };
  const removed = ({ contactId, name, email, locale, timeZone }: Recipient) => ({
    contactId,
    name,
    email,
    locale,
    timeZone,
  });
  const all = { end: link('end'), extendDay: link('day'), extendWeek: link('week') };
  const decide = { confirm: link('confirm'), reject: link('reject') };
  const confirmedBy = { contactId: 'c-ben', name: 'Ben Okafor', email: 'ben.okafor@acme.example' };
  return [
    ['grant-created', 'Access granted', { ...by, type: 'grant.created', details: GRANT }, all],
    [
      'grant-extended',
      'Deadline changed',
      { ...by, type: 'grant.extended', details: { ...GRANT, previousExpiresAt: '2026-12-01T16:00:00.000Z' } },
      { end: all.end },
    ],
    [
      'grant-expiring',
      'Access ends soon (reminder)',
      { ...by, type: 'grant.expiring', details: { ...GRANT, remindAt: '2026-12-01T16:00:00.000Z' } },
      all,
    ],
    [
      'grant-revoked',
      'Access ended, with the receipt (20 of 23 activities)',
      {
        ...by,
        type: 'grant.revoked',
        details: { ...GRANT, endedAt: '2026-12-01T14:32:00.000Z', endReason: 'revoked' },
      },
      {},
      receipt(23),
    ],
    [
      'grant-expired',
      'Access expired, with a receipt without activities',
      {
        ...by,
        type: 'grant.expired',
        details: { ...GRANT, endedAt: GRANT.expiresAt, endReason: 'expired', lateByMs: 0 },
      },
      {},
      receipt(0),
    ],
    ['contact-added-self', 'You are now a contact', { ...admin, type: 'contact.added', details: self }, {}],
    ['contact-added-other', 'Another contact added', { ...admin, type: 'contact.added', details: other }, {}],
    [
      'contact-removed-self',
      'You are no longer a contact',
      { ...admin, type: 'contact.removed', details: removed(self) },
      {},
    ],
    [
      'contact-removed-other',
      'Another contact removed',
      { ...admin, type: 'contact.removed', details: removed(other) },
      {},
    ],
    [
      'instruction-requested',
      'Instruction given, waiting for a second contact',
      { ...by, type: 'instruction.requested', details: INSTRUCTION },
      decide,
    ],
    [
      'instruction-confirmed',
      'Instruction confirmed',
      { ...by, type: 'instruction.confirmed', details: { ...INSTRUCTION, status: 'confirmed', confirmedBy } },
      {},
    ],
    [
      'instruction-rejected',
      'Instruction rejected',
      {
        ...by,
        type: 'instruction.rejected',
        details: { ...INSTRUCTION, status: 'rejected', rejectedBy: confirmedBy },
      },
      {},
    ],
    [
      'instruction-lapsed',
      'Instruction lapsed',
      { ...by, type: 'instruction.lapsed', details: { ...INSTRUCTION, status: 'lapsed' } },
      {},
    ],
    [
      'instruction-completed',
      'Instruction carried out, with the agent’s note',
      {
        ...by,
        type: 'instruction.completed',
        details: {
          ...INSTRUCTION,
          status: 'done',
          confirmedBy,
          completedBy: 'agent.smith@vendor.example',
          note: 'Account deleted at 14:05 UTC.\nPayroll history kept as asked.',
        },
      },
      {},
    ],
  ];
}

/** Every mail type in both languages, as the gallery and its browser test show them. */
export function sampleMails(brand?: string): SampleMail[] {
  return (['en', 'de'] as const).flatMap((locale) =>
    samples(RECIPIENTS[locale]).map(([name, title, event, links, r]) => ({
      name: `${name}.${locale}`,
      title,
      locale,
      email: notificationEmail(event, RECIPIENTS[locale], links, r, { brand }),
    })),
  );
}
