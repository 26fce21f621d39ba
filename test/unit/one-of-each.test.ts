import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The code alone: what comments say about it does not count. */
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const functions = fileURLToPath(new URL('../../functions', import.meta.url));
const sources = (readdirSync(functions, { recursive: true, encoding: 'utf8' }) as string[])
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: withoutComments(readFileSync(`${functions}/${file}`, 'utf8')) }));
const filesWith = (pattern: RegExp) => sources.filter((s) => pattern.test(s.text)).map((s) => s.file);

describe('one of each in functions/', () => {
  it('one Powertools Logger and one Metrics instance', () => {
    expect(filesWith(/new (Logger|Metrics)\(/)).toEqual(['wiring/observability.ts']);
    expect(filesWith(/publishStoredMetrics\(/)).toEqual(['wiring/observability.ts']);
  });

  it('one canonical JSON (RFC 8785, canonicalize)', () => {
    expect(filesWith(/from 'canonicalize'/)).toEqual(['domain/audit-chain.ts']);
    expect(filesWith(/function canonical\w*\(/)).toEqual(['domain/audit-chain.ts']);
  });

  it('one place that builds the console’s URLs', () => {
    expect(filesWith(/[`'"}]\/act\b|[?&]receipt=/)).toEqual(['domain/console-urls.ts']);
  });
});
