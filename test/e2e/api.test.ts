import { describe, expect, it } from 'vitest';
import {
  agentToken,
  auditOf,
  call,
  changesOf,
  tenantWithPeople,
  tokenFor,
  uniqueTenant,
} from '../support/api.ts';
import { END_MAIL_WAIT_MS, until } from '../support/until.ts';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('HTTP API over the running local stack', () => {
  it('health answers without a token', async () => {
    const response = await call('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the OpenAPI document', async () => {
    const response = await call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toContain('/tenants/{tenantId}/grants');
  });

  it('contacts: add, list with warnings, remove', async () => {
    const tenantId = uniqueTenant('contacts');
    const admin = await tokenFor({ email: 'admin@c.example', tenantId, roles: ['tenant-admin'] });
    const empty = await call('GET', `/tenants/${tenantId}/contacts`, { token: admin });
    expect(empty.status).toBe(200);
    expect(empty.body.contacts).toEqual([]);
    expect(empty.body.warnings).toHaveLength(1);

    const added = await call('POST', `/tenants/${tenantId}/contacts`, {
      token: admin,
      json: { name: ' Ada Lovelace ', email: 'Ada@C.example', phone: '030 1234567' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      contactId: expect.any(String),
      tenantId,
      name: 'Ada Lovelace',
      email: 'Ada@C.example',
      phone: '+49301234567',
      locale: 'de',
      timeZone: 'Europe/Berlin',
      canGrantAccess: true,
      canInstruct: true,
      createdAt: expect.stringMatching(ISO_MS),
    });
    const dup = await call('POST', `/tenants/${tenantId}/contacts`, {
      token: admin,
      json: { name: 'Ada again', email: 'ada@c.example', phone: '030 1234567' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('contact-exists');

    const removed = await call('DELETE', `/tenants/${tenantId}/contacts/${added.body.contactId}`, {
      token: admin,
    });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    const again = await call('DELETE', `/tenants/${tenantId}/contacts/${added.body.contactId}`, {
      token: admin,
    });
    expect(again.status).toBe(404);
    expect((await changesOf(tenantId, admin)).map((e) => e.type)).toEqual([
      'contact.removed',
      'contact.added',
    ]);
  });

  it('grants: create, read, list, extend, shorten, revoke; agent sees access follow', async () => {
    const { tenantId, people, contacts } = await tenantWithPeople('grants');
    const agent = await agentToken();
    const before = await call('GET', `/tenants/${tenantId}/access`, { token: agent });
    expect(before.body).toMatchObject({ tenantId, access: false, grant: null });

    const created = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: { reason: 'Invoice export fails', ticket: 'SUP-1', durationSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    const grant = created.body;
    expect(grant).toEqual({
      grantId: expect.any(String),
      tenantId,
      status: 'active',
      reason: 'Invoice export fails',
      ticket: 'SUP-1',
      grantedBy: { contactId: contacts.contact.contactId, name: 'contact', email: contacts.contact.email },
      createdAt: expect.stringMatching(ISO_MS),
      expiresAt: expect.stringMatching(ISO_MS),
      endedAt: null,
      endedBy: null,
      endReason: null,
    });
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt)).toBe(3_600_000);
    expect(created.headers.get('location')).toBe(`/tenants/${tenantId}/grants/${grant.grantId}`);

    const conflict = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact2,
      json: { reason: 'second', durationSeconds: 600 },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'grant-already-active', activeGrantId: grant.grantId });

    const access = await call('GET', `/tenants/${tenantId}/access`, { token: agent });
    expect(access.body).toMatchObject({
      access: true,
      grant: {
        grantId: grant.grantId,
        expiresAt: grant.expiresAt,
        reason: 'Invoice export fails',
        ticket: 'SUP-1',
      },
    });
    expect(Date.parse(access.body.checkedAt)).toBeLessThan(Date.parse(grant.expiresAt));

    for (const token of [people.admin, people.readOnly, agent]) {
      const read = await call('GET', `/tenants/${tenantId}/grants/${grant.grantId}`, { token });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(grant);
    }
    const listed = await call('GET', `/tenants/${tenantId}/grants?status=active`, { token: people.admin });
    expect(listed.body).toEqual({ grants: [grant], nextCursor: null });
    const across = await call('GET', '/access?limit=100', { token: agent });
    expect(across.status).toBe(200);
    expect(across.body.grants.map((g: { grantId: string }) => g.grantId)).toContain(grant.grantId);

    const newDeadline = new Date(Date.now() + 7200_000).toISOString();
    const extended = await call('PATCH', `/tenants/${tenantId}/grants/${grant.grantId}`, {
      token: people.contact2,
      json: { expiresAt: newDeadline },
    });
    expect(extended.status).toBe(200);
    expect(extended.body.expiresAt).toBe(newDeadline);
    const shortened = await call('PATCH', `/tenants/${tenantId}/grants/${grant.grantId}`, {
      token: people.contact,
      json: { durationSeconds: 600 },
    });
    expect(shortened.status).toBe(200);
    expect(Date.parse(shortened.body.expiresAt)).toBeLessThan(Date.parse(newDeadline));

    const revoked = await call('DELETE', `/tenants/${tenantId}/grants/${grant.grantId}`, {
      token: people.contact2,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      endedBy: contacts.contact2.email,
      endReason: 'revoked',
      endedAt: expect.stringMatching(ISO_MS),
    });
    const twice = await call('DELETE', `/tenants/${tenantId}/grants/${grant.grantId}`, {
      token: people.contact,
    });
    expect(twice.status).toBe(200);
    expect(twice.body).toEqual(revoked.body);
    const patchEnded = await call('PATCH', `/tenants/${tenantId}/grants/${grant.grantId}`, {
      token: people.contact,
      json: { durationSeconds: 600 },
    });
    expect(patchEnded.status).toBe(409);
    expect(patchEnded.body.code).toBe('grant-not-active');

    const after = await call('GET', `/tenants/${tenantId}/access`, { token: agent });
    expect(after.body.access).toBe(false);
    const ended = await call('GET', `/tenants/${tenantId}/grants?status=ended`, { token: people.contact });
    expect(ended.body.grants.map((g: { grantId: string }) => g.grantId)).toEqual([grant.grantId]);

    // Checks reach the log from their stamps on the access item, within seconds.
    const events = await until(
      () => changesOf(tenantId, people.admin),
      (list) => list.filter((e) => e.type === 'access.checked').length === 3,
      15_000,
      'the three access checks in the audit log',
    );
    const types = events.map((e) => e.type);
    expect(types.slice(0, 7)).toEqual([
      'access.checked',
      'grant.revoked',
      'grant.extended',
      'grant.extended',
      'access.checked',
      'grant.created',
      'access.checked',
    ]);
  });

  it('replays a create with the same Idempotency-Key and body, refuses another body', async () => {
    const { tenantId, people } = await tenantWithPeople('idem');
    const body = { reason: 'Investigate', durationSeconds: 900 };
    const first = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: body,
      headers: { 'idempotency-key': 'k-123' },
    });
    const second = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: body,
      headers: { 'idempotency-key': 'k-123' },
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const other = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: { ...body, reason: 'Other' },
      headers: { 'idempotency-key': 'k-123' },
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency-key-reused');
    // Another caller's same key is theirs alone.
    const foreignKey = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact2,
      json: body,
      headers: { 'idempotency-key': 'k-123' },
    });
    expect(foreignKey.status).toBe(409);
    const created = (await changesOf(tenantId, people.admin)).filter((e) => e.type === 'grant.created');
    expect(created).toHaveLength(1);
  });

  it('verifies callers by phone and email and records it', async () => {
    const { tenantId, people, contacts } = await tenantWithPeople('verify');
    const agent = await agentToken();
    const byPhone = await call('POST', `/tenants/${tenantId}/contacts/verify`, {
      token: agent,
      json: { phone: '+49 (30) 123 4567' },
    });
    // All three contacts share the switchboard number: the agent must ask who is calling.
    expect(byPhone.status).toBe(200);
    expect(byPhone.body).toEqual({
      authorized: true,
      contact: null,
      matches: [
        { name: 'contact', canGrantAccess: true, canInstruct: true },
        { name: 'contact2', canGrantAccess: true, canInstruct: true },
        { name: 'readOnly', canGrantAccess: false, canInstruct: true },
      ],
    });
    const direct = await call('POST', `/tenants/${tenantId}/contacts`, {
      token: people.admin,
      json: {
        name: 'Dora Direct',
        email: `dora@${tenantId}.example`,
        phone: '0171 2345678',
        canInstruct: false,
      },
    });
    expect(direct.status).toBe(201);
    const byOwnPhone = await call('POST', `/tenants/${tenantId}/contacts/verify`, {
      token: agent,
      json: { phone: '+49 171 2345678' },
    });
    const dora = { name: 'Dora Direct', canGrantAccess: true, canInstruct: false };
    expect(byOwnPhone.body).toEqual({ authorized: true, contact: dora, matches: [dora] });
    const byEmail = await call('POST', `/tenants/${tenantId}/contacts/verify`, {
      token: agent,
      json: { email: contacts.readOnly.email.toUpperCase() },
    });
    const readOnly = { name: 'readOnly', canGrantAccess: false, canInstruct: true };
    expect(byEmail.body).toEqual({ authorized: true, contact: readOnly, matches: [readOnly] });
    const unknown = await call('POST', `/tenants/${tenantId}/contacts/verify`, {
      token: agent,
      json: { email: 'stranger@else.example' },
    });
    expect(unknown.body).toEqual({ authorized: false, contact: null, matches: [] });
    const verified = (await changesOf(tenantId, people.admin)).filter((e) => e.type === 'contact.verified');
    expect(verified).toHaveLength(4);
    expect(verified.map((e) => e.details.matches.length).sort()).toEqual([0, 1, 1, 3]);
  });

  it('removing the granting contact revokes the grant at once', async () => {
    const { tenantId, people, contacts } = await tenantWithPeople('remove');
    const created = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: { reason: 'r', durationSeconds: 600 },
    });
    const removed = await call('DELETE', `/tenants/${tenantId}/contacts/${contacts.contact.contactId}`, {
      token: people.admin,
    });
    expect(removed.status).toBe(204);
    const grant = await call('GET', `/tenants/${tenantId}/grants/${created.body.grantId}`, {
      token: people.admin,
    });
    expect(grant.body).toMatchObject({ status: 'revoked', endedBy: 'system', endReason: 'contact-removed' });
    // And that person can no longer grant.
    const retry = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: { reason: 'r', durationSeconds: 600 },
    });
    expect(retry.status).toBe(403);
    expect(retry.body.code).toBe('not-authorized-contact');
  });

  it('pages the audit log and grants with opaque cursors', async () => {
    const { tenantId, people } = await tenantWithPeople('pages');
    for (let i = 0; i < 3; i++) {
      const g = await call('POST', `/tenants/${tenantId}/grants`, {
        token: people.contact,
        json: { reason: `r${i}`, durationSeconds: 600 },
      });
      await call('DELETE', `/tenants/${tenantId}/grants/${g.body.grantId}`, { token: people.contact });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await call('GET', `/tenants/${tenantId}/grants?limit=2${query}`, { token: people.admin });
      expect(page.status).toBe(200);
      seen.push(...page.body.grants.map((g: { reason: string }) => g.reason));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['r2', 'r1', 'r0']);
    // 3 contacts added (mailed to 1 + 2 + 3 contacts), 3 × (created, revoked), and the notifier's
    // 6 × 3 grant emails, which arrive asynchronously: wait until the log has settled.
    const all = await until(
      () => auditOf(tenantId, people.admin),
      (events) => events.length >= 33,
      // The revocations' mails wait for the audit chain to seal each end.
      END_MAIL_WAIT_MS,
    );
    expect(all).toHaveLength(33);
    const paged: unknown[] = [];
    let auditCursor: string | null = null;
    let pages = 0;
    do {
      const query: string = auditCursor ? `&cursor=${encodeURIComponent(auditCursor)}` : '';
      const page = await call('GET', `/tenants/${tenantId}/audit?limit=4${query}`, { token: people.admin });
      expect(page.body.events.length).toBeLessThanOrEqual(4);
      paged.push(...page.body.events);
      auditCursor = page.body.nextCursor;
      pages++;
    } while (auditCursor);
    expect(pages).toBe(Math.ceil(33 / 4));
    expect(paged).toEqual(all);
  }, 150_000);
});
