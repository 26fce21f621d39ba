import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../functions/domain/json-text.ts';

describe('strict JSON bodies', () => {
  it('accepts ordinary JSON, including the same key in different objects', () => {
    expect(parseStrictJson('{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}],"d":"\\"x\\":"}')).toMatchObject({
      ok: true,
    });
  });

  it.each([
    ['{"reason":"a","reason":"b"}', 'duplicate-key'],
    ['{"a":{"b":1,"c":{"d":1,"d":2}}}', 'duplicate-key'],
    ['{"\\u0061":1,"a":2}', 'duplicate-key'],
    ['{"reason":"\\ud800"}', 'ill-formed-string'],
    ['{"\\udfff":1}', 'ill-formed-string'],
    ['{"reason":', 'invalid'],
    ['', 'invalid'],
  ])('rejects %s as %s', (text, problem) => {
    expect(parseStrictJson(text)).toMatchObject({ ok: false, problem });
  });

  it('survives deep nesting within the body limit', () => {
    const deep = `${'['.repeat(8000)}${']'.repeat(8000)}`;
    expect(parseStrictJson(deep).ok).toBe(true);
  });
});
