import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyChain } from '../../functions/domain/audit-chain.ts';
import { DEMO_USERS } from '../../local/seed.ts';
import { auditOf, call, tokenFor } from '../support/api.ts';
import { hasChromium, openBrowser, SHOTS } from '../support/browser.ts';
import { emails, mailedLink } from '../support/mail.ts';
import { until } from '../support/until.ts';

describe.skipIf(!hasChromium)('admin console in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    ({ browser, page, errors } = await openBrowser());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  /** Signs in as a person would: the console's "Sign in", then the identity provider's page. */
  async function signInAs(label: RegExp) {
    await page.goto(`${inject('apiUrl')}/`);
    const signOut = page.getByRole('button', { name: 'Sign out' });
    const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
    // The page has decided whether a session is still there before anything is clicked.
    await expect.poll(async () => (await signOut.isVisible()) || (await signIn.isVisible())).toBe(true);
    if (await signOut.isVisible()) await signOut.click();
    // A fresh sign-in at the provider, not its remembered session of the previous person.
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${inject('oidcUrl')}/interaction/**`);
    await page.getByRole('button', { name: label }).click();
    await page.waitForURL(`${inject('apiUrl')}/`);
    await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
  }

  it('a contact grants 1 day, sees the countdown, extends and ends access; the admin finds it all in the audit log', async () => {
    await signInAs(/Anna/);
    await expect.poll(() => page.getByTestId('access-status').textContent()).toBe('Support has no access.');
    await page.getByLabel('Duration').first().selectOption('1d');
    await page.getByLabel('Reason').fill('Invoice export fails for March');
    await page.getByLabel('Ticket (optional)').fill('SUP-42');
    await page.getByRole('button', { name: 'Grant access' }).click();

    await expect.poll(() => page.getByTestId('access-status').textContent()).toBe('Support has access');
    const first = await page.getByTestId('countdown').textContent();
    expect(first).toMatch(/^(23:59:5\d|1d 00:00:00)$/);
    await page.waitForTimeout(1500);
    expect(await page.getByTestId('countdown').textContent()).not.toBe(first);
    // Local time shown, the UTC instant on hover.
    expect(await page.getByTestId('deadline').locator('time').getAttribute('title')).toMatch(/UTC$/);
    await shot('1-contact-granted');

    await page.getByLabel('Duration').selectOption('1w');
    await page.getByRole('button', { name: 'Extend' }).click();
    await expect.poll(() => page.getByTestId('countdown').textContent()).toMatch(/^[67]d /);
    await shot('2-contact-extended');

    await page.getByRole('button', { name: 'End access now' }).click();
    await expect.poll(() => page.getByTestId('access-status').textContent()).toBe('Support has no access.');

    // The grant's mails have gone out (and are audited) before the admin opens the log.
    const adminToken = await tokenFor({
      email: DEMO_USERS.admin.email,
      tenantId: 'acme',
      roles: ['tenant-admin'],
    });
    await until(
      () => auditOf('acme', adminToken),
      (events) => events.some((e) => e.type === 'notification.sent'),
      60_000,
      'a delivered mail in the audit log',
    );
    await signInAs(/Tenant admin/);
    const audit = page.getByTestId('audit');
    await expect.poll(() => audit.locator('tr[data-type="grant.revoked"]').count()).toBe(1);
    expect(await audit.locator('tr[data-type="grant.extended"]').count()).toBe(1);
    expect(await audit.locator('tr[data-type="grant.created"]').count()).toBe(1);
    expect(await audit.locator('tr[data-type="grant.created"]').textContent()).toContain(
      'Invoice export fails for March',
    );
    // The log reads as sentences, naming people rather than addresses.
    expect(await audit.locator('tr[data-type="grant.created"]').textContent()).toContain(
      'Anna Schmidt granted support access until',
    );
    expect(await audit.locator('tr[data-type="grant.revoked"]').textContent()).toContain(
      'Anna Schmidt ended support access.',
    );
    // What people did shows; the mails that went out wait behind a toggle.
    const deliveries = audit.locator('tr[data-type="notification.sent"]');
    await expect.poll(() => deliveries.count()).toBeGreaterThan(0);
    expect(await deliveries.first().isVisible()).toBe(false);
    expect(await audit.locator('tr[data-type="grant.revoked"]').isVisible()).toBe(true);
    await page.getByRole('button', { name: /^Show deliveries \(\d+\)$/ }).click();
    await expect.poll(() => deliveries.first().isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Hide deliveries' }).click();
    await expect.poll(() => deliveries.first().isVisible()).toBe(false);
    // Contacts show the zone their emails are written in.
    const contacts =
      (await page.getByRole('region', { name: 'Authorized support contacts' }).textContent()) ?? '';
    expect(contacts).toContain('Europe/Berlin');
    expect(contacts).toContain('Europe/London');
    await shot('3-admin-audit');
  });

  it('shows API errors as their detail, and switches to German', async () => {
    await signInAs(/Tenant admin/);
    // The admin is not a contact: the API says how to get registered.
    await page.getByLabel('Reason').fill('Admin tries');
    await page.getByRole('button', { name: 'Grant access' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Ask a tenant admin to register');
    await page.getByLabel('Name').fill('Carla');
    await page.getByLabel('Email').fill('carla@acme.example');
    await page.getByLabel('Phone').fill('not a phone');
    await page.getByRole('button', { name: 'Add contact' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/phone/);
    await page.locator('#language').selectOption('de');
    await expect
      .poll(() => page.getByRole('heading', { level: 2 }).first().textContent())
      .toBe('Aktueller Supportzugriff');
    await expect
      .poll(() => page.getByRole('button', { name: /^Zustellungen zeigen \(\d+\)$/ }).count())
      .toBe(1);
    await shot('4-admin-german');
    await page.locator('#language').selectOption('en');
  });

  it('an agent looks up the tenant: access no; verifies a caller', async () => {
    await signInAs(/Support agent/);
    await page.getByLabel('Tenant', { exact: true }).first().fill('acme');
    await page.getByRole('button', { name: 'Check access', exact: true }).click();
    await expect.poll(() => page.getByTestId('access-answer').textContent()).toContain('Access: no');
    await page.getByLabel('Tenant', { exact: true }).nth(1).fill('acme');
    await page.getByLabel('Phone or email').fill('030 1234567');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => page.getByTestId('verify-answer').textContent())
      .toContain('Anna Schmidt is a registered contact');
    await shot('5-agent');
    // A number two contacts share (a switchboard): the agent is told to ask who is calling.
    const admin = await tokenFor({
      email: DEMO_USERS.admin.email,
      tenantId: 'acme',
      roles: ['tenant-admin'],
    });
    const assistant = await call('POST', '/tenants/acme/contacts', {
      token: admin,
      json: {
        name: 'Ben’s assistant',
        email: 'assistant@acme.example',
        phone: '+44 20 7946 0958',
        canGrantAccess: false,
      },
    });
    expect(assistant.status).toBe(201);
    try {
      await page.getByLabel('Phone or email').fill('+44 20 7946 0958');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect
        .poll(() => page.getByTestId('verify-answer').textContent())
        .toContain('2 contacts share this number');
      const answer = (await page.getByTestId('verify-answer').textContent()) ?? '';
      expect(answer).toContain('Ben Miller');
      expect(answer).toContain('Ben’s assistant');
      expect(answer).not.toContain('is a registered contact');
      await shot('6-agent-shared-number');
    } finally {
      await call('DELETE', `/tenants/acme/contacts/${assistant.body.contactId}`, { token: admin });
    }
    expect(errors).toEqual([]);
  });

  it('an agent sees every active grant with a live countdown and checks one row', async () => {
    const anna = await tokenFor({ email: DEMO_USERS.anna.email, tenantId: 'acme' });
    const grant = await call('POST', '/tenants/acme/grants', {
      token: anna,
      json: { reason: 'Row check', durationSeconds: 3600 },
    });
    expect(grant.status).toBe(201);
    try {
      await signInAs(/Support agent/);
      const row = page.getByTestId('active-grants').locator('tr[data-tenant="acme"]');
      // Other tests' grants may end sooner and fill the first pages: page on until acme's row.
      await expect
        .poll(async () => {
          if ((await row.count()) === 0 && (await page.getByRole('button', { name: 'More' }).isVisible()))
            await page.getByRole('button', { name: 'More' }).click();
          return row.count();
        })
        .toBe(1);
      expect(await row.textContent()).toContain('Row check');
      const first = await row.getByTestId('row-countdown').textContent();
      expect(first).toMatch(/^00:59:5\d$/);
      await expect.poll(() => row.getByTestId('row-countdown').textContent()).not.toBe(first);
      await row.getByRole('button', { name: 'Check access acme' }).click();
      await expect.poll(() => row.getByTestId('row-answer').textContent()).toBe('Access: yes');
      await shot('7-agent-active-grants');
    } finally {
      await call('DELETE', `/tenants/acme/grants/${grant.body.grantId}`, { token: anna });
    }
    expect(errors).toEqual([]);
  });

  it('a receipt per ended grant, opened from the email’s link; the admin downloads a log that verifies', async () => {
    const anna = await tokenFor({ email: DEMO_USERS.anna.email, tenantId: 'acme' });
    const agent = await tokenFor({ email: 'agent@vendor.example', roles: ['support-agent'] });
    const created = await call('POST', '/tenants/acme/grants', {
      token: anna,
      json: { reason: 'Receipt in the console', durationSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    const { grantId } = created.body;
    await call('GET', '/tenants/acme/access', { token: agent });
    await call('POST', '/tenants/acme/activity', { token: agent, json: { action: 'looked at invoice 9' } });
    await call('DELETE', `/tenants/acme/grants/${grantId}`, { token: anna });
    // The email's link: /?receipt=<grantId>, kept across the sign-in.
    await page.goto(`${inject('apiUrl')}/?receipt=${grantId}`);
    await signInAs(/Tenant admin/);
    const receipt = page.getByTestId('receipt');
    await expect.poll(() => receipt.textContent()).toContain('Receipt in the console');
    expect(await page.getByTestId('receipt-checks').textContent()).toBe('1');
    expect(await receipt.textContent()).toContain('looked at invoice 9');
    await shot('11-receipt');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the verifiable audit log' }).click(),
    ]);
    const file = await download.path();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(verifyChain(lines)).toMatchObject({ ok: true });
    await expect
      .poll(() => page.getByTestId('download-result').textContent())
      .toMatch(/^Downloaded \d+ chained events; head /);
    expect(errors).toEqual([]);
  });

  it('four eyes: Anna asks to delete the account, Ben confirms from his email, the agent carries it out; everyone is told', async () => {
    const anna = await tokenFor({ email: DEMO_USERS.anna.email, tenantId: 'acme' });
    const requested = await call('POST', '/tenants/acme/instructions', {
      token: anna,
      json: { kind: 'account-deletion', details: 'Please delete the acme account.' },
    });
    expect(requested.status).toBe(201);
    const { instructionId } = requested.body;
    // Anna cannot confirm her own request.
    const own = await call('POST', `/tenants/acme/instructions/${instructionId}/confirm`, { token: anna });
    expect(own.status).toBe(403);
    expect(own.body.code).toBe('four-eyes-required');
    const confirm = await mailedLink(
      inject('sesUrl'),
      DEMO_USERS.ben.email,
      'Instruction given: account deletion (acme)',
      'Confirm',
    );
    await page.goto(confirm.url);
    await expect
      .poll(() => page.getByTestId('act-question').textContent())
      .toBe('Confirm the instruction for the account acme: Account deletion?');
    // Confirming gives support more power: the admin still signed in here is not Ben.
    await expect
      .poll(() => page.getByTestId('act-sign-in').textContent())
      .toContain(`this link was sent to ${DEMO_USERS.ben.email}`);
    expect(await page.getByTestId('act-confirm').count()).toBe(0);
    await page.context().clearCookies();
    await page.getByRole('button', { name: `Sign in as ${DEMO_USERS.ben.email}` }).click();
    await page.waitForURL(`${inject('oidcUrl')}/interaction/**`);
    await page.getByRole('button', { name: /Ben/ }).click();
    await page.waitForURL(`${inject('apiUrl')}/act`);
    await shot('12-instruction-confirm');
    await page.getByTestId('act-confirm').click();
    await expect
      .poll(() => page.getByTestId('act-result').textContent())
      .toContain('The instruction is confirmed');

    await signInAs(/Support agent/);
    const row = page.getByTestId('instruction-queue').locator(`tr[data-instruction="${instructionId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('textbox').fill('Account deleted, backups purged.');
    await shot('13-agent-queue');
    await row.getByRole('button', { name: 'Mark done' }).click();
    await expect.poll(() => row.count()).toBe(0);

    await signInAs(/Anna/);
    const mine = page.getByTestId('instructions').locator(`tr[data-instruction="${instructionId}"]`);
    await expect.poll(() => mine.getAttribute('data-status')).toBe('done');
    await shot('14-contact-instructions');
    for (const [email, subjects] of [
      [DEMO_USERS.anna.email, ['Weisung erteilt', 'Weisung bestätigt', 'Weisung ausgeführt']],
      [DEMO_USERS.ben.email, ['Instruction given', 'Instruction confirmed', 'Instruction carried out']],
    ] as const) {
      const mail = await until(
        () => emails(inject('sesUrl'), email),
        (list) => subjects.every((s) => list.some((m) => m.subject.startsWith(`${s}: `))),
        30_000,
        `requested, confirmed and done emails to ${email}`,
      );
      expect(
        mail.filter((m) => m.subject.includes('(acme)') && subjects.some((s) => m.subject.startsWith(s)))
          .length,
      ).toBeGreaterThanOrEqual(3);
    }
    expect(errors).toEqual([]);
  });

  it('a contact ends access from the link in their email: the page asks first, in their language, and works once', async () => {
    const anna = await tokenFor({ email: DEMO_USERS.anna.email, tenantId: 'acme' });
    const admin = await tokenFor({
      email: DEMO_USERS.admin.email,
      tenantId: 'acme',
      roles: ['tenant-admin'],
    });
    const created = await call('POST', '/tenants/acme/grants', {
      token: anna,
      json: { reason: 'Link test', durationSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    const { grantId } = created.body;
    // Anna reads German: her link's page speaks German, whatever the browser says.
    const annas = await mailedLink(
      inject('sesUrl'),
      DEMO_USERS.anna.email,
      'Supportzugriff gewährt: Link test',
      'Zugriff jetzt beenden',
    );
    const bens = await mailedLink(
      inject('sesUrl'),
      DEMO_USERS.ben.email,
      'Support access granted: Link test',
      'End access now',
    );
    expect(bens.url).toBe(`${inject('apiUrl')}/act#${bens.token}`);
    await page.goto(annas.url);
    await expect
      .poll(() => page.getByTestId('act-question').textContent())
      .toBe('Supportzugriff auf das Konto acme jetzt beenden?');
    await shot('8-link-german');
    await page.locator('#language').selectOption('en');

    await page.goto(bens.url);
    await expect
      .poll(() => page.getByTestId('act-question').textContent())
      .toBe('End support access to the account acme now?');
    // Opening the page changed nothing.
    expect((await call('GET', `/tenants/acme/grants/${grantId}`, { token: admin })).body.status).toBe(
      'active',
    );
    await shot('9-link-confirm');
    await page.getByTestId('act-confirm').click();
    await expect
      .poll(() => page.getByTestId('act-result').textContent())
      .toContain('Support access has ended.');
    const ended = await call('GET', `/tenants/acme/grants/${grantId}`, { token: admin });
    expect(ended.body).toMatchObject({
      status: 'revoked',
      endedBy: DEMO_USERS.ben.email,
      endReason: 'revoked',
    });
    const audit = await auditOf('acme', admin);
    expect(audit.find((e) => e.type === 'grant.revoked' && e.grantId === grantId)).toMatchObject({
      actor: DEMO_USERS.ben.email,
      details: { channel: 'email-link' },
    });
    // The same link again: used.
    const again = await call('POST', `/actions/${bens.token}`);
    expect(again.status).toBe(410);
    expect(again.body.code).toBe('link-used');
    await page.goto(bens.url);
    await expect.poll(() => page.getByTestId('act-result').textContent()).toContain('already been used');
    await shot('10-link-used');
    expect(errors).toEqual([]);
  });

  it('an Extend link needs its contact: opened signed out, it leads through sign-in and extends; the token never shows in the address', async () => {
    const anna = await tokenFor({ email: DEMO_USERS.anna.email, tenantId: 'acme' });
    const admin = await tokenFor({
      email: DEMO_USERS.admin.email,
      tenantId: 'acme',
      roles: ['tenant-admin'],
    });
    const created = await call('POST', '/tenants/acme/grants', {
      token: anna,
      json: { reason: 'Extend link test', durationSeconds: 3600 },
    });
    expect(created.status, created.text).toBe(201);
    const { grantId } = created.body;
    const subject = 'Support access granted: Extend link test';
    const extend = await mailedLink(inject('sesUrl'), DEMO_USERS.ben.email, subject, 'Extend by 1 day');
    const end = await mailedLink(inject('sesUrl'), DEMO_USERS.ben.email, subject, 'End access now');
    expect(extend.url).toBe(`${inject('apiUrl')}/act#${extend.token}`);

    // Signed out, with no session at the identity provider either.
    await page.goto(`${inject('apiUrl')}/`);
    const signOut = page.getByRole('button', { name: 'Sign out' });
    if (await signOut.isVisible()) await signOut.click();
    await page.context().clearCookies();

    // Every address the browser shows or asks for, and what the link's POSTs carry.
    const addresses: string[] = [];
    const posts: { url: string; authorization: string | undefined }[] = [];
    const onNavigate = (frame: { url(): string }) => addresses.push(frame.url());
    const onRequest = (request: import('playwright-core').Request) => {
      if (!request.url().includes('/actions/')) addresses.push(request.url());
      else if (request.method() === 'POST')
        posts.push({ url: request.url(), authorization: request.headers().authorization });
    };
    page.on('framenavigated', onNavigate);
    page.on('request', onRequest);
    try {
      await page.goto(extend.url);
      expect(page.url()).toBe(`${inject('apiUrl')}/act`);
      await expect
        .poll(() => page.getByTestId('act-question').textContent())
        .toBe('Extend support access to the account acme by 1 day?');
      // Not signed in: no way to confirm, only to sign in as Ben.
      expect(await page.getByTestId('act-confirm').count()).toBe(0);
      expect(await page.getByTestId('act-sign-in').textContent()).toContain(DEMO_USERS.ben.email);
      await shot('15-link-sign-in-first');
      await page.getByRole('button', { name: 'Sign in to confirm' }).click();
      await page.waitForURL(`${inject('oidcUrl')}/interaction/**`);
      await page.getByRole('button', { name: /Ben/ }).click();
      // Back on the link's page, signed in as Ben, the token still out of every address.
      await page.waitForURL(`${inject('apiUrl')}/act`);
      await expect.poll(() => page.getByTestId('act-confirm').isVisible()).toBe(true);
      expect(await page.locator('#who').textContent()).toContain(DEMO_USERS.ben.email);
      await shot('16-link-signed-in');
      await page.getByTestId('act-confirm').click();
      await expect
        .poll(() => page.getByTestId('act-result').textContent())
        .toContain('Support access was extended.');
      const grant = await call('GET', `/tenants/acme/grants/${grantId}`, { token: admin });
      expect(Date.parse(grant.body.expiresAt)).toBe(Date.parse(created.body.expiresAt) + 86_400_000);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.authorization).toMatch(/^Bearer ey/);

      // A link mailed before, /act/<token>: it still works, the token leaves the path at once, and
      // "End access now" is one click, without sign-in.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${inject('apiUrl')}/act/${end.token}`);
      expect(page.url()).toBe(`${inject('apiUrl')}/act`);
      await expect
        .poll(() => page.getByTestId('act-question').textContent())
        .toBe('End support access to the account acme now?');
      expect(await page.getByTestId('act-sign-in').count()).toBe(0);
      await page.getByTestId('act-confirm').click();
      await expect
        .poll(() => page.getByTestId('act-result').textContent())
        .toContain('Support access has ended.');
      expect(posts).toHaveLength(2);
      expect(posts[1]?.authorization).toBeUndefined();
      expect((await call('GET', `/tenants/acme/grants/${grantId}`, { token: admin })).body).toMatchObject({
        status: 'revoked',
        endedBy: DEMO_USERS.ben.email,
      });
    } finally {
      page.off('framenavigated', onNavigate);
      page.off('request', onRequest);
    }
    // Besides the two addresses the test opened itself (the mailed one, whose fragment no
    // browser sends, and the old form), no address shown or requested — pages, scripts, the
    // sign-in and its return — holds a token.
    const opened = new Set([extend.url, `${inject('apiUrl')}/act/${end.token}`]);
    const others = addresses.filter((a) => !opened.has(a));
    expect(others.length).toBeGreaterThan(5);
    for (const address of others) {
      expect(address).not.toContain(extend.token);
      expect(address).not.toContain(end.token);
    }
    expect(others.some((a) => a.startsWith(`${inject('oidcUrl')}/`))).toBe(true);
    expect(errors).toEqual([]);
  });
});
