import { describe, expect, it } from 'vitest';
import { auditEventOf } from '../../functions/adapters/dynamodb/stream.ts';
import { Table } from '../../functions/adapters/dynamodb/table.ts';
import { DynamoWebhooks } from '../../functions/adapters/dynamodb/webhooks.ts';
import {
  DELIVERABLE_EVENT_TYPES,
  type EventData,
  eventData,
  isDeliverable,
} from '../../functions/domain/audit.ts';
import { EventDataSchema } from '../../functions/domain/event-types.ts';
import { recordActivity } from '../../functions/use-cases/audit.ts';
import { removeContact } from '../../functions/use-cases/contacts.ts';
import {
  changeGrantDeadline,
  createGrant,
  expireGrant,
  remindGrant,
  revokeGrant,
} from '../../functions/use-cases/grants.ts';
import {
  completeInstruction,
  confirmInstruction,
  lapseInstruction,
  rejectInstruction,
  requestInstruction,
} from '../../functions/use-cases/instructions.ts';
import { checkAccess, verifyCaller } from '../../functions/use-cases/support.ts';
import { addWebhook, removeWebhook, rotateWebhookSecret } from '../../functions/use-cases/webhooks.ts';
import { seedContact, silentLog, testCursors, testDeps } from '../support/deps.ts';
import { FakeRetryWakeUps } from '../support/fakes/retry-wake-ups.ts';
import { recordChecksFromStream, streamRecords } from '../support/stream.ts';

const HOUR = 3600;
const DELETE = { kind: 'account-deletion' as const, details: 'Please delete our account.' };

describe('every event the system writes, as it goes out (DynamoDB Local)', () => {
  it('has the EventData shape its type publishes, for every deliverable type', async () => {
    const t = await testDeps('2026-12-01T10:00:00.000Z');
    const now = () => t.clock.now();
    const ada = await seedContact(t.deps, 'acme', 'ada@acme.test', {
      locale: 'en',
      timeZone: 'Europe/Berlin',
    });
    const bob = await seedContact(t.deps, 'acme', 'bob@acme.test', { locale: 'de' });
    const cy = await seedContact(t.deps, 'acme', 'cy@acme.test', { canInstruct: false });

    // A grant of two days: created, extended, reminded the day before, revoked.
    const { grant } = await createGrant(
      t.deps,
      'acme',
      ada,
      { reason: 'Invoice export', ticket: 'SUP-1', durationSeconds: 48 * HOUR },
      now(),
    );
    await checkAccess(t.deps, 'acme', 'agent@vendor.example');
    await verifyCaller(t.deps, 'acme', 'agent@vendor.example', { email: 'ada@acme.test' }, now());
    await verifyCaller(t.deps, 'acme', 'agent@vendor.example', { phone: '+49 30 000000' }, now());
    await recordActivity(t.deps, 'acme', 'agent@vendor.example', {
      action: 'Opened the invoice',
      target: 'INV-7',
    });
    await recordActivity(t.deps, 'acme', 'agent@vendor.example', { action: 'Looked around' });
    await changeGrantDeadline(t.deps, 'acme', grant.grantId, bob, { durationSeconds: 50 * HOUR }, now());
    t.clock.advance(26 * HOUR * 1000);
    expect((await remindGrant(t.deps, 'acme', grant.grantId)).outcome).toBe('reminded');
    await revokeGrant(t.deps, 'acme', grant.grantId, bob, now());
    await checkAccess(t.deps, 'acme', 'agent@vendor.example');

    // A grant that runs out; one that ends when its contact is removed.
    const { grant: short } = await createGrant(
      t.deps,
      'acme',
      ada,
      { reason: 'Short look', durationSeconds: HOUR },
      now(),
    );
    t.clock.advance(HOUR * 1000 + 250);
    expect((await expireGrant(t.deps, 'acme', short.grantId)).outcome).toBe('expired');
    await createGrant(t.deps, 'acme', cy, { reason: 'Until Cy leaves', durationSeconds: HOUR }, now());
    await removeContact(t.deps, 'acme', cy.contactId, 'admin@acme.test', now());

    // Instructions: one confirmed and done, one rejected, one left to lapse, one without four eyes.
    const confirmed = await requestInstruction(t.deps, 'acme', ada, DELETE, now());
    await confirmInstruction(t.deps, 'acme', confirmed.instructionId, bob, now());
    await completeInstruction(
      t.deps,
      'acme',
      confirmed.instructionId,
      'agent@vendor.example',
      'Deleted.',
      now(),
    );
    const rejected = await requestInstruction(t.deps, 'acme', ada, DELETE, now());
    await rejectInstruction(t.deps, 'acme', rejected.instructionId, bob, now());
    await requestInstruction(
      t.deps,
      'acme',
      bob,
      { kind: 'data-export', details: 'Export our data.' },
      now(),
    );
    const lapsing = await requestInstruction(t.deps, 'acme', ada, DELETE, now());
    t.clock.set(new Date(Date.parse(lapsing.confirmBy as string) + 1000).toISOString());
    expect(await lapseInstruction(t.deps, 'acme', lapsing.instructionId)).toBe('lapsed');

    // A webhook added, its secret rotated, removed.
    const hooks = {
      webhooks: new DynamoWebhooks(new Table(t.doc, t.tableName, testCursors())),
      clock: t.clock,
      ids: t.deps.ids,
      log: silentLog,
      addressPolicy: { allowLoopback: false },
      resolveHost: async () => ['93.184.215.14'],
      wakeUps: new FakeRetryWakeUps(),
    };
    const hook = await addWebhook(
      hooks,
      'acme',
      'admin@acme.test',
      { url: 'https://siem.example/in' },
      now(),
    );
    await rotateWebhookSecret(hooks, 'acme', hook.webhookId, 'admin@acme.test', now());
    await removeWebhook(hooks, 'acme', hook.webhookId, 'admin@acme.test', now());

    // The checks' events come from the stream, as in the deployed system.
    expect(await recordChecksFromStream(t)).toBe(2);
    const outgoing: EventData[] = (await streamRecords(t.client, t.tableName)).flatMap((record) => {
      const event = auditEventOf(record);
      return event && isDeliverable(event) ? [eventData(event)] : [];
    });

    expect(new Set(outgoing.map((e) => e.type))).toEqual(new Set(DELIVERABLE_EVENT_TYPES));
    for (const event of outgoing) {
      const parsed = EventDataSchema.safeParse(event);
      expect(
        parsed.success ? 'valid' : { type: event.type, details: event.details, issues: parsed.error.issues },
      ).toBe('valid');
    }
    // A contact's removal ends their grant: both go out, the revocation saying why.
    expect(
      outgoing.find((e) => e.type === 'grant.revoked' && e.details.endReason === 'contact-removed')?.details,
    ).toMatchObject({
      removedBy: 'admin@acme.test',
    });
  });

  it('refuses an event whose details drift from its type', () => {
    const event = {
      tenantId: 'acme',
      eventId: '01KBZ0000000000000000000E1',
      at: '2026-12-01T10:00:00.000Z',
      type: 'access.checked',
      actor: 'agent@vendor.example',
      grantId: null,
      details: { access: false, checkedAt: '2026-12-01T10:00:00.000Z' },
    };
    expect(EventDataSchema.safeParse(event).success).toBe(true);
    expect(EventDataSchema.safeParse({ ...event, details: { ...event.details, extra: 1 } }).success).toBe(
      false,
    );
    expect(
      EventDataSchema.safeParse({ ...event, details: { access: 'no', checkedAt: event.at } }).success,
    ).toBe(false);
    expect(EventDataSchema.safeParse({ ...event, type: 'grant.created' }).success).toBe(false);
    expect(EventDataSchema.safeParse({ ...event, hash: 'ab' }).success).toBe(false);
  });
});
