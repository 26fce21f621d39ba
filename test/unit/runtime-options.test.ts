import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_NODE_OPTIONS } from '../../local/spawn-stack.ts';

describe('the local runtime’s Node options', () => {
  it('are the same for `npm start` as for the stacks tests and benchmarks start', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
    expect(RUNTIME_NODE_OPTIONS).toContain('--max-semi-space-size=8');
    expect(pkg.scripts.start).toBe(`node ${RUNTIME_NODE_OPTIONS.join(' ')} --import tsx local/start.ts`);
  });
});
