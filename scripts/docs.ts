/**
 * `npm run docs`: writes the parts of docs/ that are made from the code — the settings table of
 * docs/operations.md, from functions/wiring/settings.ts. test/unit/docs-settings.test.ts fails
 * when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Setting, settings } from '../functions/wiring/settings.ts';

export const OPERATIONS_MD = new URL('../docs/operations.md', import.meta.url);
const START = '<!-- settings table: written by `npm run docs` from functions/wiring/settings.ts -->';
const END = '<!-- end of settings table -->';

export function settingsTable(list: readonly Setting[] = Object.values(settings)): string {
  const code = (v: string | undefined) => (v ? `\`${v}\`` : '—');
  const rows = list.map((s) => [
    code(s.variable),
    code(s.context),
    s.shown,
    s.local ? 'yes' : '',
    s.description,
  ]);
  return markdownTable(['variable', 'stage setting', 'default', '`npm start`', 'what'], rows);
}

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The document with its settings table as the code has it now. */
export function withSettingsTable(markdown: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/operations.md has lost the markers ${START} … ${END}`);
  return `${markdown.slice(0, start)}${START}\n\n${settingsTable()}\n\n${markdown.slice(end)}`;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPERATIONS_MD, withSettingsTable(readFileSync(OPERATIONS_MD, 'utf8')));
  console.log('docs/operations.md: settings table written');
}
