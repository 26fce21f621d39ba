import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMails } from '../../scripts/mail-samples.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Mail browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium).`);
}

/** What a reader of the mail at that width would run into. */
async function problems(page: Page, html: string) {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  await page.setContent(html, { waitUntil: 'load' });
  const found = await page.evaluate(() => {
    // Runs in the page (the test's own types know no DOM).
    const { document, window, NodeFilter } = globalThis as any;
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    const wider = [...document.querySelectorAll('body *')]
      .filter((el: any) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map((el: any) => `<${el.tagName.toLowerCase()}> ${el.textContent?.slice(0, 40)}`);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const bareUrls: string[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (/\b(?:https?:\/\/|www\.)\S/i.test(node.textContent ?? '') && !node.parentElement?.closest('a'))
        bareUrls.push(node.textContent ?? '');
    }
    const links = [...document.querySelectorAll('a')].map((a: any) => ({
      href: a.getAttribute('href') ?? '',
      text: a.textContent?.trim() ?? '',
    }));
    return { overflow, wider, bareUrls, links };
  });
  page.removeAllListeners('pageerror');
  await page.unroute('**/*');
  return { errors, requests, ...found };
}

describe.skipIf(!hasChromium)('every mail in Chromium', () => {
  let browser: Browser;
  let phone: Page;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    phone = await browser.newPage({ viewport: { width: 375, height: 700 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('fits a phone (375 px), asks for nothing from the network, raises no error, and links every URL', async () => {
    for (const { name, email } of sampleMails()) {
      const found = await problems(phone, email.html);
      expect(found.errors, name).toEqual([]);
      expect(found.requests, name).toEqual([]);
      expect(
        found.overflow,
        `${name} is wider than the phone: ${found.wider.join(', ')}`,
      ).toBeLessThanOrEqual(0);
      expect(found.bareUrls, name).toEqual([]);
      for (const link of found.links) {
        // A link shows where it goes: the URL itself, or a button whose URL stands right under it.
        expect(
          found.links.some((l) => l.href === link.href && l.text === link.href),
          `${name}: ${link.text}`,
        ).toBe(true);
      }
    }
  }, 120_000);

  it('catches a mail that overflows, or shows a URL as plain text', async () => {
    const [first] = sampleMails();
    const html = first?.email.html ?? '';
    const wide = await problems(phone, html.replace('</body>', '<div style="width:600px">x</div></body>'));
    expect(wide.overflow).toBeGreaterThan(0);
    const bare = await problems(
      phone,
      html.replace('</body>', '<p>see https://console.example/act#x</p></body>'),
    );
    expect(bare.bareUrls).toEqual(['see https://console.example/act#x']);
  }, 60_000);
});
