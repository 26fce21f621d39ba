/**
 * Typed reads of an item's attributes. An attribute every item of its kind is written with is
 * read strictly: a malformed item fails loudly where it is read, instead of travelling on as a
 * value of the wrong type.
 */
type Item = Record<string, unknown>;

const malformed = (name: string, want: string) => new Error(`A stored item's ${name} is not ${want}.`);

/** A strict reader of the values `is` accepts, and one that reads absent or null as null. */
function typed<T>(is: (value: unknown) => value is T, want: string) {
  const strict = (item: Item, name: string): T => {
    const value = item[name];
    if (!is(value)) throw malformed(name, want);
    return value;
  };
  const orNull = (item: Item, name: string): T | null =>
    item[name] === undefined || item[name] === null ? null : strict(item, name);
  return [strict, orNull] as const;
}

export const [text, textOrNull] = typed((v): v is string => typeof v === 'string', 'a string');
export const [count, countOrNull] = typed((v): v is number => typeof v === 'number', 'a number');

/** A flag: only `true` is true. */
export const flag = (item: Item, name: string): boolean => item[name] === true;

export function oneOf<T extends string>(item: Item, name: string, allowed: readonly T[]): T {
  const value = item[name];
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw malformed(name, `one of ${allowed.join(', ')}`);
  return found;
}

/** A string set (DynamoDB SS, read as a Set); absent: empty. */
export function textSet(item: Item, name: string): string[] {
  const value = item[name];
  if (value === undefined) return [];
  if (!(value instanceof Set)) throw malformed(name, 'a set');
  return [...value].filter((v): v is string => typeof v === 'string');
}

/** A map attribute (an object, not null or an array). */
export function record(item: Item, name: string): Item {
  const value = item[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(name, 'a map');
  return Object.fromEntries(Object.entries(value));
}

/** A contact reference ({ contactId, name, email }) stored as a map. */
export function contactRef(item: Item, name: string): { contactId: string; name: string; email: string } {
  const ref = record(item, name);
  return { contactId: text(ref, 'contactId'), name: text(ref, 'name'), email: text(ref, 'email') };
}

/** A contact reference, or null when absent. */
export function contactRefOrNull(item: Item, name: string) {
  const value = item[name];
  return value === undefined || value === null ? null : contactRef(item, name);
}
