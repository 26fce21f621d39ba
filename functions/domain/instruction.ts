import { type Contact, emailKey } from './contact.ts';
import { ValidationError } from './errors.ts';
import { charLength, containsControlOrBidi } from './text.ts';

export const INSTRUCTION_KINDS = ['account-deletion', 'data-export', 'other'] as const;
export type InstructionKind = (typeof INSTRUCTION_KINDS)[number];
export const INSTRUCTION_STATUSES = [
  'pending-confirmation',
  'confirmed',
  'rejected',
  'lapsed',
  'done',
] as const;
export type InstructionStatus = (typeof INSTRUCTION_STATUSES)[number];

export interface ContactRef {
  contactId: string;
  name: string;
  email: string;
}

/** An instruction (Weisung) a contact gives support, e.g. to delete the account. */
export interface Instruction {
  instructionId: string;
  tenantId: string;
  kind: InstructionKind;
  details: string;
  status: InstructionStatus;
  requestedBy: ContactRef;
  confirmedBy: ContactRef | null;
  rejectedBy: ContactRef | null;
  createdAt: string;
  confirmBy: string | null;
  completedAt: string | null;
  completedBy: string | null;
  note: string | null;
}

export const DETAILS_MAX = 2000;
export const NOTE_MAX = 2000;
export const DEFAULT_CONFIRM_SECONDS = 259_200;

/** Kinds that a second contact must confirm before support may act (four eyes). */
export const needsFourEyes = (kind: InstructionKind) => kind === 'account-deletion';

/**
 * Whether `contact` may be the second pair of eyes on `instruction`. Four eyes means two
 * people, not two contact records: removing a contact and adding the same email again (in any
 * letter case) makes a new record of the same person, so the requester is known by email. And
 * only someone who could instruct before the request was made counts: a contact added
 * afterwards was chosen by whoever manages the list knowing what waits for confirmation.
 * Both facts are fixed for a contact record (a change of either is a new record), so the
 * transaction's check that the confirming record still exists keeps this true under any race.
 */
export function mayConfirm(
  instruction: { requestedBy: Pick<ContactRef, 'email'>; createdAt: string },
  contact: Pick<Contact, 'email' | 'canInstruct' | 'createdAt'>,
): boolean {
  return (
    contact.canInstruct &&
    emailKey(contact.email) !== emailKey(instruction.requestedBy.email) &&
    Date.parse(contact.createdAt) < Date.parse(instruction.createdAt)
  );
}

/**
 * Multi-line text of `min`–`max` characters after trimming: line breaks and tabs are fine,
 * other control characters and text-direction overrides are not (400 naming the field).
 */
export function normaliseText(text: string, path: string, min: number, max: number): string {
  const trimmed = text.trim();
  // Line breaks and tabs belong in a text of several lines; nothing else of the kind does.
  if (containsControlOrBidi(trimmed.replace(/[\t\n\r]/g, '')))
    throw ValidationError.field(
      path,
      `${path} may not contain control characters or text-direction overrides.`,
    );
  if (charLength(trimmed) < min || charLength(trimmed) > max)
    throw ValidationError.field(path, `${path} must be ${min}–${max} characters (after trimming).`);
  return trimmed;
}

/** A pending instruction past its `confirmBy` has lapsed, in every answer, from that millisecond. */
export function effectiveInstruction(instruction: Instruction, now: Date): Instruction {
  if (instruction.status !== 'pending-confirmation' || !instruction.confirmBy) return instruction;
  return now.getTime() >= Date.parse(instruction.confirmBy)
    ? { ...instruction, status: 'lapsed' }
    : instruction;
}

export const contactRef = (c: ContactRef): ContactRef => ({
  contactId: c.contactId,
  name: c.name,
  email: c.email,
});
