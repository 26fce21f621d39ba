/**
 * `npm run docs`: writes the parts of docs/ that are made from the code — the settings tables of
 * docs/operations.md, from functions/wiring/settings.ts (the product's) and local/settings.ts
 * (the local runtime's own). test/unit/docs-settings.test.ts fails when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Setting, settings } from '../functions/wiring/settings.ts';
import { localSettings } from '../local/settings.ts';

export const OPERATIONS_MD = new URL('../docs/operations.md', import.meta.url);

const code = (v: string | undefined) => (v ? `\`${v}\`` : '—');

export function settingsTable(list: readonly Setting[] = Object.values(settings)): string {
  const rows = list.map((s) => [
    code(s.variable),
    code(s.context),
    s.shown,
    s.local ? 'yes' : '',
    s.description,
  ]);
  return markdownTable(['variable', 'stage setting', 'default', '`npm start`', 'what'], rows);
}

export function localSettingsTable(list: readonly Setting[] = Object.values(localSettings)): string {
  return markdownTable(
    ['variable', 'default', 'what'],
    list.map((s) => [code(s.variable), s.shown, s.description]),
  );
}

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const TABLES = [
  {
    start: '<!-- settings table: written by `npm run docs` from functions/wiring/settings.ts -->',
    end: '<!-- end of settings table -->',
    table: settingsTable,
  },
  {
    start: '<!-- local settings table: written by `npm run docs` from local/settings.ts -->',
    end: '<!-- end of local settings table -->',
    table: localSettingsTable,
  },
];

/** The document with its generated tables as the code has them now. */
export function withGeneratedTables(markdown: string): string {
  return TABLES.reduce((text, { start, end, table }) => {
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/operations.md has lost the markers ${start} … ${end}`);
    return `${text.slice(0, from)}${start}\n\n${table()}\n\n${text.slice(to)}`;
  }, markdown);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPERATIONS_MD, withGeneratedTables(readFileSync(OPERATIONS_MD, 'utf8')));
  console.log('docs/operations.md: settings tables written');
}
