import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMails } from '../../scripts/mail-samples.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Mail browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium).`);
}

/** What a reader of the mail at that width, in light or dark mode, would run into. */
async function problems(page: Page, html: string, colorScheme: 'light' | 'dark' = 'light') {
  await page.emulateMedia({ colorScheme });
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
    // Text against the background it stands on, as WCAG measures contrast.
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const backgroundOf = (el: any): string => {
      for (let at = el; at; at = at.parentElement) {
        const bg = window.getComputedStyle(at).backgroundColor;
        if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
      }
      return 'rgb(255, 255, 255)';
    };
    const lowContrast: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const text = [...el.childNodes]
        .filter((n: any) => n.nodeType === 3)
        .map((n: any) => n.textContent)
        .join('')
        .trim();
      if (!text || el.getClientRects().length === 0 || window.getComputedStyle(el).opacity === '0') continue;
      const [a, b] = [luminance(window.getComputedStyle(el).color), luminance(backgroundOf(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) lowContrast.push(`${text.slice(0, 30)} (${ratio.toFixed(2)})`);
    }
    const links = [...document.querySelectorAll('a')].map((a: any) => ({
      href: a.getAttribute('href') ?? '',
      text: a.textContent?.trim() ?? '',
    }));
    // What the mail's head sets reaches the page (an unclosed conditional comment would hide it).
    const head = {
      viewport: document.querySelector('meta[name="viewport"]') !== null,
      colorScheme: document.querySelector('meta[name="color-scheme"]')?.getAttribute('content') ?? null,
      bodyMargin: window.getComputedStyle(document.body).margin,
    };
    return { overflow, wider, bareUrls, links, lowContrast, head };
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

  it('fits a phone (375 px), asks for nothing from the network, raises no error, links every URL, and keeps its contrast in light and dark mode', async () => {
    for (const { name, email } of sampleMails()) {
      const found = await problems(phone, email.html);
      expect(found.errors, name).toEqual([]);
      expect(found.requests, name).toEqual([]);
      expect(
        found.overflow,
        `${name} is wider than the phone: ${found.wider.join(', ')}`,
      ).toBeLessThanOrEqual(0);
      expect(found.bareUrls, name).toEqual([]);
      expect(found.head, name).toEqual({ viewport: true, colorScheme: 'light dark', bodyMargin: '0px' });
      expect(found.lowContrast, `${name}: text hard to read`).toEqual([]);
      expect((await problems(phone, email.html, 'dark')).lowContrast, `${name} in dark mode`).toEqual([]);
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
    const faint = await problems(phone, html.replace('</body>', '<p style="color:#ddd">faint</p></body>'));
    expect(faint.lowContrast).toEqual([expect.stringMatching(/^faint \(1\.\d+\)$/)]);
  }, 60_000);
});
