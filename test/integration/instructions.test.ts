import { describe, expect, it } from 'vitest';
import {
  confirmInstruction,
  lapseInstruction,
  requestInstruction,
} from '../../functions/use-cases/instructions.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { seedContact, testDeps } from '../support/deps.ts';
import { DELETE, outcome, withInstructingContacts } from '../support/scenarios.ts';

const given = async (options: { bobInstructs?: boolean } = {}) =>
  withInstructingContacts(await testDeps('2026-12-01T09:59:00.000Z'), options);

describe('instructions with four eyes (DynamoDB Local)', () => {
  it('two contacts confirming at once: one wins, the other gets 409', async () => {
    const t = await given();
    const dee = await seedContact(t.deps, 'acme', 'dee@acme.test');
    t.clock.advance(1000);
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    const results = await Promise.all([
      outcome(confirmInstruction(t.deps, 'acme', requested.instructionId, t.bob, t.clock.now())),
      outcome(confirmInstruction(t.deps, 'acme', requested.instructionId, dee, t.clock.now())),
    ]);
    expect(results.sort()).toEqual(['instruction-not-pending', 'ok']);
    const events = (await listAudit(t.deps, 'acme', { limit: 50 })).items;
    expect(events.filter((e) => e.type === 'instruction.confirmed')).toHaveLength(1);
  });

  it('a confirmation racing the lapse: exactly one of them, and none after confirmBy', async () => {
    const t = await given();
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    t.clock.set(requested.confirmBy as string);
    const [confirmed, lapsed] = await Promise.all([
      outcome(confirmInstruction(t.deps, 'acme', requested.instructionId, t.bob, t.clock.now())),
      lapseInstruction(t.deps, 'acme', requested.instructionId),
    ]);
    expect(confirmed).toBe('instruction-not-pending');
    expect(lapsed).toBe('lapsed');
    // A minute before its confirmBy, both race: one wins.
    const second = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    t.clock.set(new Date(Date.parse(second.confirmBy as string) - 60_000));
    const raced = await Promise.all([
      outcome(confirmInstruction(t.deps, 'acme', second.instructionId, t.bob, t.clock.now())),
      lapseInstruction(t.deps, 'acme', second.instructionId),
    ]);
    expect(raced).toEqual(['ok', 'not-due']);
  });
});
