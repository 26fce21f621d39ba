import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasChromium, openBrowser, SHOTS } from '../support/browser.ts';
import { signatureHeaders, startReceiver } from '../support/webhook-receiver.ts';

describe.skipIf(!hasChromium)('the Integrations card in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    ({ browser, page, errors } = await openBrowser((context) =>
      context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: inject('apiUrl') }),
    ));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
  });

  it('the admin adds an endpoint, copies its secret (shown once), sends a test and sees it delivered', async () => {
    await page.goto(`${inject('apiUrl')}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${inject('oidcUrl')}/interaction/**`);
    await page.getByRole('button', { name: /Tenant admin/ }).click();
    await page.waitForURL(`${inject('apiUrl')}/`);
    const card = page.getByRole('region', { name: 'Integrations' });
    await expect.poll(() => card.isVisible()).toBe(true);

    await card.getByLabel('URL').fill(receiver.url('/console'));
    await card.getByLabel('Description').fill('Our SIEM');
    await card.getByRole('button', { name: 'Add endpoint' }).click();
    const secretBox = card.getByTestId('webhook-secret');
    await expect.poll(() => secretBox.isVisible()).toBe(true);
    const secret = await secretBox.locator('input').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await secretBox.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await page.screenshot({ path: join(SHOTS, 'integrations-secret.png'), fullPage: true });
    await secretBox.getByRole('button', { name: 'Done' }).click();
    expect(await secretBox.isVisible()).toBe(false);

    const item = card.locator('li', { hasText: 'Our SIEM' });
    await item.getByRole('button', { name: 'Send a test' }).click();
    await expect.poll(() => receiver.at('/console').some((r) => r.json.type === 'webhook.test')).toBe(true);
    const test = receiver.at('/console').find((r) => r.json.type === 'webhook.test');
    expect(
      new StandardWebhook(secret).verify(test?.body ?? '', signatureHeaders(test?.headers ?? {})),
    ).toBeTruthy();

    // The secret is nowhere on the page once dismissed, not even after a reload.
    await page.reload();
    await expect
      .poll(() => page.getByRole('region', { name: 'Integrations' }).locator('li').count())
      .toBeGreaterThan(0);
    expect(await page.content()).not.toContain(secret);

    const reloaded = page
      .getByRole('region', { name: 'Integrations' })
      .locator('li', { hasText: 'Our SIEM' });
    await reloaded.getByRole('button', { name: 'Last deliveries' }).click();
    const row = reloaded.getByTestId('deliveries').locator('tr', { hasText: 'webhook.test' });
    await expect.poll(() => row.getAttribute('data-status')).toBe('delivered');
    expect(await row.textContent()).toContain('200');
    await page.screenshot({ path: join(SHOTS, 'integrations-deliveries.png'), fullPage: true });

    await reloaded.getByRole('button', { name: 'Remove' }).click();
    await expect
      .poll(() =>
        page.getByRole('region', { name: 'Integrations' }).locator('li', { hasText: 'Our SIEM' }).count(),
      )
      .toBe(0);
    expect(errors).toEqual([]);
  });
});
