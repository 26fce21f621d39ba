import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { routes } from '../../functions/http/routes.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

/** The first cell of every row of the markdown table that follows `heading` (a `## …` line). */
function firstColumn(markdown: string, heading: string): string[] {
  const section = markdown.slice(markdown.indexOf(`\n${heading}\n`) + 1);
  expect(section.startsWith(heading), `${heading} is missing`).toBe(true);
  const rows = section
    .split('\n')
    .slice(1)
    .filter((line, i, lines) => line.startsWith('|') && lines.slice(0, i).every((l) => !l.startsWith('## ')));
  return rows.slice(2).map((row) => row.split(/(?<!\\)\|/)[1]?.trim() ?? '');
}

describe('docs/api.md', () => {
  /** `GET /tenants/{tenantId}/grants/{grantId}` as the page writes it: `GET /tenants/{T}/grants/{id}`. */
  const asDocumented = (method: string, path: string) =>
    `\`${method} ${path.replace('{tenantId}', '{T}').replace(/\{\w+Id\}/g, '{id}')}\``;
  const documented = () => firstColumn(read('docs/api.md'), '# HTTP API');

  it('lists every route of the route table', () => {
    const missing = routes
      .map((r) => asDocumented(r.method, r.path))
      .filter((r) => !documented().includes(r));
    expect(missing).toEqual([]);
  });

  it('lists no route the table does not have', () => {
    const known = routes.map((r) => asDocumented(r.method, r.path));
    expect(documented().filter((r) => !known.includes(r))).toEqual([]);
  });
});

describe('the README’s layout table', () => {
  const folders = () => firstColumn(read('README.md'), '## Layout');

  it('names every top-level folder', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
    const topLevel = [
      ...new Set(tracked.filter((f) => f.includes('/')).map((f) => f.split('/')[0] as string)),
    ];
    const missing = topLevel.filter((dir) => !folders().some((cell) => cell.startsWith(`\`${dir}/`)));
    expect(missing).toEqual([]);
  });

  it('names every room of functions/', () => {
    const rooms = readdirSync(`${root}functions`, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `\`functions/${entry.name}\``);
    expect(rooms.filter((room) => !folders().includes(room))).toEqual([]);
  });
});

describe('the architecture diagram', () => {
  /** The labels of the diagram's nodes, each cut into its lines. */
  const labels = () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(read('docs/architecture.md'))?.[1] ?? '';
    return [...diagram.matchAll(/\w+\[\(?(.*?)\)?\]/g)].map((m) => (m[1] as string).split('<br/>'));
  };

  it('shows every function that no route invokes, by name, the chainer and the check recorder among them', () => {
    const names = Object.keys(BACKGROUND_FUNCTIONS);
    expect(names).toEqual(expect.arrayContaining(['chainAudit', 'recordChecks']));
    expect(names.filter((name) => !labels().some((lines) => lines.includes(name)))).toEqual([]);
  });

  it('shows the API functions, one per route', () => {
    expect(labels().some((lines) => lines.includes('middy, one per route'))).toBe(true);
  });
});

describe('docs/data-model.md', () => {
  const adapters = `${root}functions/adapters/dynamodb`;
  const modules = () =>
    (readdirSync(adapters, { recursive: true, encoding: 'utf8' }) as string[])
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `\`${file}\``);
  const named = () => firstColumn(read('docs/data-model.md'), '## Code');

  it('names every module of the DynamoDB adapter', () => {
    expect(modules().filter((m) => !named().includes(m))).toEqual([]);
  });

  it('names no module that is gone', () => {
    expect(named().filter((m) => !modules().includes(m))).toEqual([]);
  });
});
