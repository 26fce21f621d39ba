import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, verifyChain } from '../../functions/domain/audit-chain.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const event = (n: number, details: Record<string, unknown> = {}) => ({
  eventId: `01JAAAAAAAAAAAAAAAAAAAAA${String(n).padStart(2, '0')}`,
  at: `2026-12-01T10:00:${String(n).padStart(2, '0')}.000Z`,
  type: 'access.checked' as const,
  actor: 'agent@vendor.example',
  grantId: null,
  details: { access: n % 2 === 0, ...details },
});

/** An export of `n` events: one JSON line each, with its hash. */
function exportOf(n: number): string[] {
  let previous = GENESIS_HASH;
  return Array.from({ length: n }, (_, i) => {
    const e = event(i + 1);
    previous = chainHash(previous, e);
    return JSON.stringify({ ...e, hash: previous });
  });
}

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units, writes numbers as ECMAScript does and strings minimally escaped', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}',
    );
    expect(canonicalJson({ n: [1e21, 1.5, -0, 0.000001, 1e-7] })).toBe('{"n":[1e+21,1.5,0,0.000001,1e-7]}');
    expect(canonicalJson({ s: 'ü€😀\n"\\\u001f' })).toBe('{"s":"ü€😀\\n\\"\\\\\\u001f"}');
    // Keys sort by code units: "€" (U+20AC) before "😀" (D83D …) before "ﬀ" (U+FB00).
    expect(canonicalJson({ ﬀ: 3, '😀': 2, '€': 1 })).toBe('{"€":1,"😀":2,"ﬀ":3}');
  });
});

describe('the hash chain', () => {
  it('hashes the previous hash followed by the event’s canonical JSON, 64 zeros before the first', () => {
    const e = event(1, { reason: 'ü' });
    const canonical =
      '{"actor":"agent@vendor.example","at":"2026-12-01T10:00:01.000Z","details":{"access":false,"reason":"ü"},"eventId":"01JAAAAAAAAAAAAAAAAAAAAA01","grantId":null,"type":"access.checked"}';
    const expected = createHash('sha256')
      .update(`${'0'.repeat(64)}${canonical}`, 'utf8')
      .digest('hex');
    expect(chainHash(GENESIS_HASH, e)).toBe(expected);
    // Fields that are not the event's (the tenant, its own hash) are not part of it.
    expect(chainHash(GENESIS_HASH, { ...e, hash: 'x' } as never)).toBe(expected);
  });

  it('verifies an export, and finds its head and any kept head in it', () => {
    const lines = exportOf(5);
    const head = JSON.parse(lines[4] as string).hash;
    const middle = JSON.parse(lines[2] as string).hash;
    expect(verifyChain(lines)).toEqual({ ok: true, events: 5, head });
    expect(verifyChain(lines, middle)).toEqual({ ok: true, events: 5, head });
    expect(verifyChain([...lines, ''])).toEqual({ ok: true, events: 5, head });
    expect(verifyChain([], undefined)).toEqual({ ok: true, events: 0, head: GENESIS_HASH });
  });

  it('names the first line that does not verify: edited, dropped, reordered, inserted, extended', () => {
    const lines = exportOf(5);
    const edited = [...lines];
    edited[2] = (edited[2] as string).replace('"access":false', '"access":true');
    expect(edited[2]).not.toBe(lines[2]);
    expect(verifyChain(edited)).toMatchObject({ ok: false, line: 3 });
    expect(verifyChain([lines[0], lines[2], lines[3]] as string[])).toMatchObject({ ok: false, line: 2 });
    expect(verifyChain([lines[0], lines[2], lines[1]] as string[])).toMatchObject({ ok: false, line: 2 });
    const added = JSON.parse(lines[1] as string);
    added.note = 'added later';
    expect(verifyChain([lines[0], JSON.stringify(added)] as string[])).toMatchObject({ ok: false, line: 2 });
    expect(verifyChain([lines[0], '{"eventId":"x"}'] as string[])).toMatchObject({
      ok: false,
      line: 2,
      reason: 'no hash',
    });
    expect(verifyChain([lines[0], 'not json'] as string[])).toMatchObject({ ok: false, line: 2 });
  });

  it('a rewritten chain with every hash recomputed verifies alone, but not against a kept head', () => {
    const kept = JSON.parse(exportOf(5)[4] as string).hash;
    let previous = GENESIS_HASH;
    const forged = exportOf(5).map((line, i) => {
      const { hash: _old, ...e } = JSON.parse(line);
      if (i === 2) e.details.access = true;
      previous = chainHash(previous, e);
      return JSON.stringify({ ...e, hash: previous });
    });
    expect(verifyChain(forged)).toMatchObject({ ok: true });
    expect(verifyChain(forged, kept)).toMatchObject({ ok: false, line: 0 });
  });
});

describe('npm run verify-audit', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-audit.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });

  it('prints OK with the count and head, or FAIL naming the line or the missing head; exit 0/1/2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verify-audit-'));
    const lines = exportOf(3);
    const head = JSON.parse(lines[2] as string).hash;
    const good = join(dir, 'good.ndjson');
    await writeFile(good, `${lines.join('\n')}\n`);
    const ok = run(good, '--head', JSON.parse(lines[0] as string).hash);
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe(`OK 3 events, head ${head}`);

    const bad = join(dir, 'bad.ndjson');
    await writeFile(
      bad,
      `${[lines[0], (lines[1] as string).replace('agent@', 'other@'), lines[2]].join('\n')}\n`,
    );
    const fail = run(bad);
    expect(fail.status).toBe(1);
    expect(fail.stdout).toMatch(/^FAIL line 2: hash does not match/);

    const missing = run(good, '--head', 'a'.repeat(64));
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`the kept head ${'a'.repeat(64)} is not in this chain`);

    expect(run().status).toBe(2);
    expect(run(good, '--head', 'XYZ').status).toBe(2);
    expect(run(join(dir, 'absent.ndjson')).status).toBe(2);
  });
});
