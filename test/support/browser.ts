import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the browser tests put their screenshots (the README's and the docs' pictures). */
export const SHOTS = resolve(import.meta.dirname, '../e2e/screenshots');
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Console browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium).`);
}

/**
 * Headless Chromium with one page as a person in Berlin with an English browser sees the console:
 * the page's uncaught errors are collected in `errors`, and every confirm dialog is accepted.
 */
export async function openBrowser(
  prepare: (context: Awaited<ReturnType<Browser['newContext']>>) => Promise<void> = async () => {},
  options: BrowserContextOptions = {},
): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  await mkdir(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
    ...options,
  });
  await prepare(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());
  return { browser, page, errors };
}
