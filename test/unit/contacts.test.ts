import { describe, expect, it } from 'vitest';
import {
  type Contact,
  contactWarnings,
  normaliseName,
  normalisePhone,
  normaliseTimeZone,
  toE164,
} from '../../functions/domain/contact.ts';

describe('phone numbers', () => {
  it('normalises to E.164, reading national numbers as German', () => {
    expect(normalisePhone('030 1234567')).toBe('+49301234567');
    expect(normalisePhone('+49 (30) 123-4567')).toBe('+49301234567');
    expect(normalisePhone('0049 30 1234567')).toBe('+49301234567');
    expect(normalisePhone('+1 415 555 2671')).toBe('+14155552671');
  });

  it('rejects what is not a phone number', () => {
    expect(toE164('12')).toBeNull();
    expect(toE164('not a number')).toBeNull();
    expect(() => normalisePhone('+49 1')).toThrow(/phone/);
  });
});

describe('contacts', () => {
  const c = (canGrantAccess: boolean) => ({ canGrantAccess }) as Contact;
  it('warns while fewer than two contacts can grant access', () => {
    expect(contactWarnings([])).toHaveLength(1);
    expect(contactWarnings([c(true), c(false)])).toHaveLength(1);
    expect(contactWarnings([c(true), c(true)])).toEqual([]);
  });

  it('trims names and bounds their length', () => {
    expect(normaliseName('  Ada  ')).toBe('Ada');
    expect(() => normaliseName('   ')).toThrow(/name/);
    expect(() => normaliseName('x'.repeat(201))).toThrow(/name/);
  });
});

describe('time zones', () => {
  it('keeps IANA zones in the runtime’s spelling', () => {
    expect(normaliseTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(normaliseTimeZone(' america/new_york ')).toBe('America/New_York');
    expect(normaliseTimeZone('UTC')).toBe('UTC');
    expect(normaliseTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  });

  it.each(['Mars/Olympus', '+01:00', 'GMT+1', 'Europe/Berlinn', '', 'Europe//Berlin'])(
    'refuses %j with a 400 naming the field',
    (zone) => {
      expect(() => normaliseTimeZone(zone)).toThrow(
        expect.objectContaining({
          code: 'validation-failed',
          errors: [expect.objectContaining({ path: 'timeZone' })],
        }),
      );
    },
  );
});
