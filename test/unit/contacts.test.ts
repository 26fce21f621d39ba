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
  it.each([
    ['030 1234567', '+49301234567'],
    ['+49 (30) 123-4567', '+49301234567'],
    ['0049 30 1234567', '+49301234567'],
    ['+1 415 555 2671', '+14155552671'],
  ])('normalises %j to E.164 %j, reading national numbers as German', (phone, e164) => {
    expect(normalisePhone(phone)).toBe(e164);
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
  it.each(['Europe/Berlin', 'UTC', 'Asia/Kolkata'])(
    'keeps the IANA zone %j as the runtime spells it',
    (zone) => {
      expect(normaliseTimeZone(zone)).toBe(zone);
    },
  );

  it('respells an IANA zone as the runtime does', () => {
    expect(normaliseTimeZone(' america/new_york ')).toBe('America/New_York');
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
