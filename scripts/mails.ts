import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { sampleMails } from './mail-samples.ts';
import { toPalettePng } from './png-palette.ts';

/**
 * `npm run mails`: every mail type in both languages into docs/mails/, as HTML and as Chromium
 * screenshots at a phone's width (375 px) and a desktop client's (800 px) as palette PNGs, and
 * the gallery's table in docs/mails.md.
 */
const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs/mails');
const DOC = join(ROOT, 'docs/mails.md');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const WIDTHS = [375, 800] as const;

if (!existsSync(CHROMIUM)) {
  console.error(`No Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  process.exit(1);
}

const mails = sampleMails();
await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  // Grey-scale anti-aliasing: the screenshots compress to a fraction of colour-fringed ones.
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-lcd-text',
  ],
});
try {
  for (const width of WIDTHS) {
    const page = await browser.newPage({ viewport: { width, height: 100 }, deviceScaleFactor: 1 });
    // A mail that asks for anything from the network would show it here: nothing is let through.
    await page.route('**/*', (route) => route.abort());
    for (const { name, email } of mails) {
      if (width === WIDTHS[0]) await writeFile(join(OUT, `${name}.html`), email.html);
      await page.setContent(email.html, { waitUntil: 'load' });
      const shot = await page.screenshot({ fullPage: true });
      await writeFile(join(OUT, `${name}.${width}.png`), toPalettePng(shot));
    }
    await page.close();
  }
} finally {
  await browser.close();
}

const rows = mails.map(
  ({ name, title, email }) =>
    `| ${title} (${name.split('.').at(-1)}) | ${email.subject.replaceAll('|', '\\|')} | [HTML](mails/${name}.html) | [375 px](mails/${name}.375.png) | [800 px](mails/${name}.800.png) |`,
);
const shown = ['grant-created.en', 'grant-revoked.de', 'instruction-requested.en'];
const table = [
  shown.map((name) => `<img src="mails/${name}.375.png" width="250" alt="${name} at 375 px">`).join(' '),
  '',
  '| mail | subject | source | phone | desktop |',
  '| ---- | ------- | ------ | ----- | ------- |',
  ...rows,
].join('\n');
const doc = await readFile(DOC, 'utf8');
const start = '<!-- gallery: written by npm run mails -->';
const end = '<!-- /gallery -->';
const from = doc.indexOf(start);
const to = doc.indexOf(end);
if (from < 0 || to < from) throw new Error(`docs/mails.md has no "${start}" … "${end}" section`);
await writeFile(DOC, `${doc.slice(0, from + start.length)}\n\n${table}\n\n${doc.slice(to)}`);
execFileSync('npx', ['biome', 'format', '--write', DOC], { stdio: 'ignore' });
console.log(`Wrote ${mails.length} mails × ${WIDTHS.length} widths to ${OUT}`);
