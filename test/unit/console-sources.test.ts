import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../web/src');
const MAX_LINES = 400;
/** The one server module the console bundles: pure, and itself importing types only. */
const SHARED_SENTENCES = '/functions/domain/sentences.ts';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const sources = files(SRC).map((path) => ({
  name: relative(SRC, path),
  text: readFileSync(path, 'utf8'),
}));

describe('the console sources', () => {
  it('are read', () => {
    expect(sources.map((s) => s.name)).toContain('main.ts');
  });

  it(`keep every file to at most ${MAX_LINES} lines, so each view can be read at once`, () => {
    const long = sources
      .map(({ name, text }) => ({ name, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('take only types from the server and from zod (the audit sentences aside), so neither is bundled into the console', () => {
    const imports = sources.flatMap(({ name, text }) =>
      [...text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gms)]
        .filter(([, , type, from]) => !type && (from?.includes('/functions/') || from?.startsWith('zod')))
        .filter(([, , , from]) => !from?.endsWith(SHARED_SENTENCES))
        .map(([statement]) => `${name}: ${statement}`),
    );
    expect(imports).toEqual([]);
  });

  it('bundle the shared audit sentences, which take nothing but types themselves', () => {
    const shared = readFileSync(resolve(import.meta.dirname, `../..${SHARED_SENTENCES}`), 'utf8');
    const valueImports = [...shared.matchAll(/^import\s+(?!type\s)[^;]*;/gm)].map(([statement]) => statement);
    expect(valueImports).toEqual([]);
  });
});
