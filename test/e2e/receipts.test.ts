import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { agentToken, call, tenantWithPeople } from '../support/api.ts';
import { emails } from '../support/mail.ts';
import { END_MAIL_WAIT_MS, until } from '../support/until.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('receipts and the verifiable audit log (npm start)', () => {
  it('a grant with checks, a verification and three activities ends: both contacts’ end emails list them and the head, which verifies the export', async () => {
    const { tenantId, people, contacts } = await tenantWithPeople('receipt');
    const agent = await agentToken();
    const t = `/tenants/${tenantId}`;
    const created = await call('POST', `${t}/grants`, {
      token: people.contact,
      json: { reason: 'Payroll question', durationSeconds: 600 },
    });
    expect(created.status).toBe(201);
    const { grantId } = created.body;
    for (let i = 0; i < 2; i++)
      expect((await call('GET', `${t}/access`, { token: agent })).body.access).toBe(true);
    expect(
      (await call('POST', `${t}/contacts/verify`, { token: agent, json: { email: contacts.contact.email } }))
        .status,
    ).toBe(200);
    for (const action of ['opened payroll run 2026-10', 'reset 2FA of user x', 'exported invoice 17']) {
      const recorded = await call('POST', `${t}/activity`, {
        token: agent,
        json: { action, ticket: 'SUP-7' },
      });
      expect(recorded.status, recorded.text).toBe(201);
      expect(recorded.body).toMatchObject({ grantId, eventId: expect.any(String), at: expect.any(String) });
    }
    expect((await call('DELETE', `${t}/grants/${grantId}`, { token: people.contact })).status).toBe(200);
    const late = await call('POST', `${t}/activity`, { token: agent, json: { action: 'after the end' } });
    expect(late.status).toBe(403);
    expect(late.body.code).toBe('no-active-grant');

    // The checks reach the receipt as the check recorder writes their events (about a second).
    const receipt = await until(
      () => call('GET', `${t}/grants/${grantId}/receipt`, { token: people.contact2 }),
      (r) => r.status === 200 && r.body.accessChecks === 2,
      15_000,
      'both checks on the receipt',
    );
    expect(receipt.body).toMatchObject({
      grant: { grantId, status: 'revoked' },
      accessChecks: 2,
      callerVerifications: 1,
      agents: ['agent@vendor.example'],
      activityCount: 3,
      nextCursor: null,
    });
    expect(receipt.body.activities.map((e: { details: { action: string } }) => e.details.action)).toEqual([
      'opened payroll run 2026-10',
      'reset 2FA of user x',
      'exported invoice 17',
    ]);

    const heads: string[] = [];
    for (const [email, subject, checks, head] of [
      [
        contacts.contact.email,
        'Support access ended: Payroll question',
        'Access checks: 2',
        'Your audit log’s head hash',
      ],
      [
        contacts.contact2.email,
        'Supportzugriff beendet: Payroll question',
        'Zugriffsprüfungen: 2',
        'Prüfsumme Ihres Audit-Logs',
      ],
    ] as const) {
      const mail = await until(
        () => emails(inject('sesUrl'), email),
        (list) => list.some((m) => m.subject === subject),
        END_MAIL_WAIT_MS,
        `the end email to ${email}`,
      );
      const text = mail.find((m) => m.subject === subject)?.body.text ?? '';
      expect(text).toContain(checks);
      expect(text).toContain('agent@vendor.example');
      for (const action of ['opened payroll run 2026-10', 'reset 2FA of user x', 'exported invoice 17'])
        expect(text).toContain(`${action} [SUP-7]`);
      expect(text).toContain(`/?receipt=${grantId}`);
      const kept = new RegExp(`${head}[^:]*: ([0-9a-f]{64})`).exec(text)?.[1];
      expect(kept, text).toMatch(/^[0-9a-f]{64}$/);
      heads.push(kept as string);
    }

    // Later, the customer exports the log and checks it offline against the head they kept.
    const exported = await until(
      () => call('GET', `${t}/audit/export`, { token: people.admin }),
      (r) => r.text.includes('"grant.revoked"'),
      60_000,
      'the revocation to be chained',
    );
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson');
    const file = join(await mkdtemp(join(tmpdir(), 'export-')), 'audit.ndjson');
    await writeFile(file, exported.text);
    const verified = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/verify-audit.ts', file, '--head', heads[0] as string],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(verified.stdout).toMatch(/^OK \d+ events, head [0-9a-f]{64}\n$/);
    expect(verified.status).toBe(0);
    // Events in the log carry their hash once chained.
    const audit = await call('GET', `${t}/audit?limit=100`, { token: people.admin });
    const revoked = audit.body.events.find((e: { type: string }) => e.type === 'grant.revoked');
    expect(revoked.hash).toMatch(/^[0-9a-f]{64}$/);
    // The mails went out once the chain had sealed the end: their head covers the whole grant.
    const lines = exported.text.trim().split('\n');
    const keptAt = lines.findIndex((l) => l.includes(heads[0] as string));
    const endAt = lines.findIndex((l) => l.includes('"grant.revoked"'));
    expect(keptAt).toBeGreaterThanOrEqual(endAt);
  }, 240_000);
});
