import { describe, expect, it } from 'vitest';
import { mayConfirm } from '../../functions/domain/instruction.ts';

const requested = { requestedBy: { email: 'Anna@acme.example' }, createdAt: '2026-12-01T10:00:00.000Z' };
const contact = (email: string, createdAt: string, canInstruct = true) => ({ email, createdAt, canInstruct });

describe('who may be the second pair of eyes', () => {
  it('another person, registered to instruct before the request', () => {
    expect(mayConfirm(requested, contact('ben@acme.example', '2026-12-01T09:59:59.999Z'))).toBe(true);
  });

  it('never the requester, in any letter case or with surrounding spaces', () => {
    for (const email of ['anna@acme.example', 'ANNA@ACME.EXAMPLE', ' Anna@acme.example '])
      expect(mayConfirm(requested, contact(email, '2026-12-01T09:00:00.000Z'))).toBe(false);
  });

  it('never a contact registered in the request’s millisecond or later, or one who may not instruct', () => {
    expect(mayConfirm(requested, contact('ben@acme.example', '2026-12-01T10:00:00.000Z'))).toBe(false);
    expect(mayConfirm(requested, contact('ben@acme.example', '2026-12-01T10:00:00.001Z'))).toBe(false);
    expect(mayConfirm(requested, contact('ben@acme.example', '2026-12-01T09:00:00.000Z', false))).toBe(false);
    expect(mayConfirm(requested, contact('ben@acme.example', 'not a time'))).toBe(false);
  });
});
