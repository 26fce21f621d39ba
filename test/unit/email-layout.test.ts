import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { LAYOUT } from '../../functions/email/layout.generated.ts';
import { notificationEmail } from '../../functions/email/templates.ts';
import { productionEsbuild } from '../../infra/bundling.ts';
import { compileLayout } from '../../scripts/build-mails.ts';
import { sampleMails } from '../../scripts/mail-samples.ts';

describe('the mail layout, compiled from MJML at build time', () => {
  it('layout.generated.ts is what layout.mjml compiles to (run npm run build:mails after changing it)', async () => {
    expect(LAYOUT).toEqual(await compileLayout());
  }, 30_000);

  it('a changed layout.mjml no longer matches', async () => {
    const source = await readFile(resolve(import.meta.dirname, '../../functions/email/layout.mjml'), 'utf8');
    const changed = await compileLayout(source.replace('#1d4ed8', '#1d4ed9'));
    expect(changed).not.toEqual(LAYOUT);
  }, 30_000);

  it('the notifier’s production bundle holds the compiled layout and no MJML', async () => {
    const built = await build({
      ...productionEsbuild,
      entryPoints: [resolve(import.meta.dirname, '../..', BACKGROUND_FUNCTIONS.notify.entry)],
      write: false,
      metafile: true,
      sourcemap: false,
      logLevel: 'silent',
    });
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.some((path) => path.endsWith('functions/email/layout.generated.ts'))).toBe(true);
    expect(inputs.filter((path) => /mjml/.test(path))).toEqual([]);
  }, 60_000);

  it('asks for nothing from the network: no images, fonts, stylesheets or scripts', () => {
    for (const [name, html] of Object.entries(LAYOUT)) {
      expect(html, name).not.toMatch(
        /<(img|link|script|iframe|object|embed|video|audio)\b|url\(|@import|src=/i,
      );
      expect(html.replace(/xmlns(:\w+)?="[^"]*"/g, ''), name).not.toMatch(/https?:/);
    }
  });

  it('every mail names its language, offers light and dark, and has a preheader', () => {
    for (const { name, locale, email } of sampleMails()) {
      expect(email.html, name).toMatch(new RegExp(`^<!doctype html><html lang="${locale}"`));
      expect(email.html, name).toContain('<meta name="color-scheme" content="light dark">');
      expect(email.html, name).toContain('prefers-color-scheme: dark');
      expect(email.html, name).not.toMatch(/\{\{[a-z]+\}\}/);
    }
  });

  it('the header carries the vendor’s name, escaped; the text part signs with it', () => {
    const email = notificationEmail(
      {
        type: 'contact.removed',
        tenantId: 'acme',
        actor: 'admin@acme.example',
        details: { contactId: 'c1', name: 'Ben', email: 'ben@acme.example', locale: 'en', timeZone: 'UTC' },
      },
      { contactId: 'c1', name: 'Ben', email: 'ben@acme.example', locale: 'en', timeZone: 'UTC' },
      {},
      undefined,
      { brand: 'Payroll <Cloud> & Co' },
    );
    expect(email.html).toContain('>Payroll &#60;Cloud&#62; &#38; Co<');
    expect(email.text.endsWith('\n-- \nPayroll <Cloud> & Co\n')).toBe(true);
    // The removed contact is told why they still receive this one.
    expect(email.text).toContain('because you were a support contact of the account acme until now');
  });

  it('the gallery in docs/mails is the mails as they are now (run npm run mails after changing them)', async () => {
    for (const { name, email } of sampleMails()) {
      const stored = await readFile(resolve(import.meta.dirname, `../../docs/mails/${name}.html`), 'utf8');
      expect(stored === email.html, `docs/mails/${name}.html is stale`).toBe(true);
    }
  });
});
