import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { encodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, verifyChain } from '../../functions/domain/audit-chain.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** An event id (ULID) made at `at`, the `n`th of that instant. */
const idAt = (at: string, n: number) =>
  `${encodeTime(Date.parse(at), 10)}${'A'.repeat(14)}${String(n).padStart(2, '0')}`;

const event = (n: number, details: Record<string, unknown> = {}) => {
  const at = `2026-12-01T10:00:${String(n).padStart(2, '0')}.000Z`;
  return {
    eventId: idAt(at, n),
    at,
    type: 'access.checked' as const,
    actor: 'agent@vendor.example',
    grantId: null,
    details: { access: n % 2 === 0, ...details },
  };
};

/** Export lines of these events, each with its hash, chained after `previous`. */
function chained(events: readonly Record<string, unknown>[], previous = GENESIS_HASH): string[] {
  return events.map((e) => {
    previous = chainHash(previous, e as never);
    return JSON.stringify({ ...e, hash: previous });
  });
}

/** An export of `n` events: one JSON line each, with its hash. */
function exportOf(n: number): string[] {
  return chained(Array.from({ length: n }, (_, i) => event(i + 1)));
}

const hashOf = (line: string | undefined) => JSON.parse(line as string).hash as string;

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
    const canonical = `{"actor":"agent@vendor.example","at":"2026-12-01T10:00:01.000Z","details":{"access":false,"reason":"ü"},"eventId":"${e.eventId}","grantId":null,"type":"access.checked"}`;
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

describe('a strict verifier: what a kept head cannot vouch for is held to what every event is', () => {
  const kept = exportOf(4);
  const head = hashOf(kept[3]);
  /** The kept export with `events` appended, every hash recomputed: valid as a chain. */
  const appended = (...events: Record<string, unknown>[]) => [...kept, ...chained(events, head)];

  it('an event dated 2024 appended after the kept head, with an id of its time: not after the previous id', () => {
    const at = '2024-03-01T09:00:00.000Z';
    const result = verifyChain(appended({ ...event(5), eventId: idAt(at, 5), at }), head);
    expect(result).toMatchObject({ ok: false, line: 5, reason: expect.stringContaining('is not after') });
  });

  it('an event dated 2024 with an id of today: its time lies more than 60 s from its id’s', () => {
    const result = verifyChain(appended({ ...event(5), at: '2024-03-01T09:00:00.000Z' }), head);
    expect(result).toMatchObject({ ok: false, line: 5, reason: expect.stringContaining('more than 60 s') });
  });

  it('a time up to 60 s from the id’s is an event’s own; one millisecond more is not', () => {
    const e = event(5);
    const plus = (ms: number) => new Date(Date.parse(e.at) + ms).toISOString();
    expect(verifyChain(appended({ ...e, at: plus(60_000) }), head)).toMatchObject({ ok: true, events: 5 });
    expect(verifyChain(appended({ ...e, at: plus(-60_000) }), head)).toMatchObject({ ok: true, events: 5 });
    expect(verifyChain(appended({ ...e, at: plus(60_001) }), head)).toMatchObject({ ok: false, line: 5 });
  });

  it('a second copy of an access check already in the log, with the opposite answer: its id is not new', () => {
    const copy = JSON.parse(kept[2] as string);
    delete copy.hash;
    copy.details.access = !copy.details.access;
    const result = verifyChain(appended(event(5), copy), head);
    expect(result).toMatchObject({ ok: false, line: 6, reason: expect.stringContaining('is not after') });
    // The same id twice in a row too.
    expect(verifyChain(appended(event(5), event(5)), head)).toMatchObject({ ok: false, line: 6 });
  });

  it('a key twice in one line (JSON.parse keeps the last, other parsers the first), at any depth', () => {
    for (const [label, from, to] of [
      ['actor', '"actor":', '"actor":"mallory@evil.example","actor":'],
      ['access', '"access":', '"access":true,"access":'],
    ] as const) {
      const lines = [...exportOf(5)];
      lines[4] = (lines[4] as string).replace(from, to);
      // The hash still matches what JSON.parse reads.
      const { hash, ...read } = JSON.parse(lines[4]);
      expect(chainHash(hashOf(lines[3]), read)).toBe(hash);
      expect(verifyChain(lines, head)).toEqual({
        ok: false,
        line: 5,
        reason: `it repeats the key "${label}"`,
      });
    }
  });

  it('a number RFC 8785 cannot represent (1e999) fails its line instead of crashing', () => {
    const lines = [...kept, '{"eventId":"x","n":1e999,"hash":"0"}'];
    expect(verifyChain(lines, head)).toMatchObject({
      ok: false,
      line: 5,
      reason: 'it holds a number RFC 8785 cannot represent',
    });
    expect(verifyChain([...kept, '{"d":{"x":[1,-1e400]}}'])).toMatchObject({ ok: false, line: 5 });
  });
});

/** JSON text of `value` in which the object `target` holds `key` twice: first `decoy`, then its own value. */
function withRepeatedKey(value: unknown, target: object, key: string, decoy: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => withRepeatedKey(v, target, key, decoy)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([k, v]) => `${JSON.stringify(k)}:${withRepeatedKey(v, target, key, decoy)}`,
    );
    if (value === target) entries.unshift(`${JSON.stringify(key)}:${JSON.stringify(decoy)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Every object in a JSON value, with its keys. */
function objectsIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  if (value && typeof value === 'object')
    return [value as Record<string, unknown>, ...Object.values(value).flatMap(objectsIn)];
  return [];
}

describe('the verifier reads each line exactly as it is hashed', () => {
  const kept = exportOf(4);
  const head = hashOf(kept[3]);
  /** A fifth event whose line writes `literal` where its hash covers `value`. */
  const spelled = (value: number, literal: string) => {
    const [line] = chained([event(5, { n: value })], head);
    return (line as string).replace(`"n":${JSON.stringify(value)}`, `"n":${literal}`);
  };

  it('a number spelled otherwise than RFC 8785 writes it (digits past a double, 1.0, 1e0, -0) fails its line', () => {
    expect(verifyChain([...kept, spelled(5, '5')], head)).toMatchObject({ ok: true });
    for (const [value, literal] of [
      [12345678901234567000, '12345678901234567891'],
      [1, '1.0'],
      [1, '1e0'],
      [0, '-0'],
    ] as const)
      expect(verifyChain([...kept, spelled(value, literal)], head)).toMatchObject({
        ok: false,
        line: 5,
        reason: expect.stringContaining(`the number ${literal} other than RFC 8785 does`),
      });
  });

  it('an event id beyond a ULID’s time fails its line instead of crashing', () => {
    const [line] = chained([{ ...event(5), eventId: 'Z'.repeat(26) }], head);
    expect(verifyChain([...kept, line as string])).toMatchObject({
      ok: false,
      line: 5,
      reason: 'its eventId holds no time',
    });
  });

  it('a line of white space other than a line break is no blank line: it fails', () => {
    for (const space of ['\u00a0', '\u2028', '\v'])
      expect(verifyChain([kept[0] as string, space, ...kept.slice(1)])).toMatchObject({ ok: false, line: 2 });
    expect(verifyChain([...kept, ''])).toMatchObject({ ok: true });
  });
});

describe('property: a key repeated anywhere in any line of a valid export fails that line', () => {
  it('holds for random details, lines and depths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(),
        fc.nat(),
        fc.jsonValue({ maxDepth: 1 }),
        (details, lineChoice, objectChoice, decoy) => {
          const lines = chained(details.map((d, i) => event(i + 1, { extra: d })));
          const index = lineChoice % lines.length;
          const parsed = JSON.parse(lines[index] as string);
          const candidates = objectsIn(parsed).filter((o) => Object.keys(o).length > 0);
          const target = candidates[objectChoice % candidates.length] as Record<string, unknown>;
          const key = Object.keys(target)[objectChoice % Object.keys(target).length] as string;
          const forged = [...lines];
          forged[index] = withRepeatedKey(parsed, target, key, decoy);
          // JSON.parse keeps the last: the line reads as before and its hash still matches.
          expect(JSON.parse(forged[index] as string)).toEqual(parsed);
          expect(verifyChain(lines)).toMatchObject({ ok: true });
          expect(verifyChain(forged)).toEqual({
            ok: false,
            line: index + 1,
            reason: `it repeats the key ${JSON.stringify(key)}`,
          });
        },
      ),
      { numRuns: 300, seed: 20261206 },
    );
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
    expect(run(dir).status).toBe(2);
    expect(run(good, good).status).toBe(2);
    expect(run('--bogus', good).status).toBe(2);
  });

  it('a line holding bytes that are not UTF-8 is exit 1 naming that line (never read as U+FFFD)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verify-audit-'));
    const file = join(dir, 'latin1.ndjson');
    const lines = chained([event(1, { s: '\ufffd' }), event(2)]);
    const broken = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const replacement = broken.indexOf(Buffer.from('\ufffd', 'utf8'));
    await writeFile(
      file,
      Buffer.concat([broken.subarray(0, replacement), Buffer.from([0xff]), broken.subarray(replacement + 3)]),
    );
    const result = run(file);
    expect(result.status).toBe(1);
    expect(result.stdout.trim()).toBe('FAIL line 1: it holds bytes that are not UTF-8');
  });

  it('a line with 1e999 is exit 1 naming that line, not a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verify-audit-'));
    const file = join(dir, 'infinite.ndjson');
    await writeFile(file, `${exportOf(2).join('\n')}\n{"eventId":"x","n":1e999,"hash":"0"}\n`);
    const result = run(file);
    expect(result.status).toBe(1);
    expect(result.stdout.trim()).toBe('FAIL line 3: it holds a number RFC 8785 cannot represent');
    expect(result.stderr).toBe('');
  });
});
