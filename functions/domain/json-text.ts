/**
 * JSON bodies are parsed strictly: duplicate keys are rejected (two parsers could read
 * `{"a":1,"a":2}` differently), and so are strings that are not well-formed Unicode (lone
 * surrogates cannot be stored or emailed faithfully).
 */
export type JsonProblem = 'invalid' | 'duplicate-key' | 'ill-formed-string';

export function parseStrictJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; problem: JsonProblem; detail: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'invalid', detail: 'The request body is not valid JSON.' };
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) {
    return {
      ok: false,
      problem: 'duplicate-key',
      detail: `The request body repeats the key "${duplicate}".`,
    };
  }
  if (!wellFormed(value)) {
    return {
      ok: false,
      problem: 'ill-formed-string',
      detail: 'The request body contains text that is not valid Unicode.',
    };
  }
  return { ok: true, value };
}

/** Iterative, so a deeply nested body cannot exhaust the stack. */
function wellFormed(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return false;
    } else if (Array.isArray(value)) {
      pending.push(...value);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (!key.isWellFormed()) return false;
        pending.push(child);
      }
    }
  }
  return true;
}

/** Scans text already known to be valid JSON; returns the first key repeated within one object. */
export function findDuplicateKey(text: string): string | null {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return null;
}

/**
 * The first number in JSON text (known valid) not written as RFC 8785 writes it, or null. Two
 * spellings of one value (`1.0`, `1e0`, `-0`, or digits beyond a double's precision that every
 * parser rounds alike) hash alike: the hash covers the canonical form, so the line must be in it,
 * or a reader that keeps the digits would see a value the hash does not vouch for.
 */
export function numberNotAsCanonical(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j] as string)) j++;
      const literal = text.slice(i, j);
      if (String(Number(literal)) !== literal) return literal;
      i = j - 1;
    }
  }
  return null;
}
