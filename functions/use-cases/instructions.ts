import type { Contact } from '../domain/contact.ts';
import {
  FourEyesRequiredError,
  InstructionNotConfirmedError,
  InstructionNotPendingError,
  NotAuthorizedContactError,
  NotFoundError,
  SecondContactRequiredError,
} from '../domain/errors.ts';
import type { EventDetails } from '../domain/event-types.ts';
import {
  contactRef,
  DEFAULT_CONFIRM_SECONDS,
  DETAILS_MAX,
  effectiveInstruction,
  type Instruction,
  type InstructionKind,
  mayConfirm,
  NOTE_MAX,
  needsFourEyes,
  normaliseText,
} from '../domain/instruction.ts';
import type { Page, PageRequest } from '../domain/ports.ts';
import { type Deps, retryOnConflict, type SchedulingDeps, sweepPages } from './deps.ts';
import { newEvent } from './events.ts';

export interface InstructionInput {
  kind: InstructionKind;
  details: string;
}

/** What every instruction event records (and every instruction email shows). */
function instructionDetails(i: Instruction): EventDetails<'instruction.requested'> {
  return {
    instructionId: i.instructionId,
    kind: i.kind,
    details: i.details,
    status: i.status,
    requestedBy: i.requestedBy,
    confirmedBy: i.confirmedBy,
    rejectedBy: i.rejectedBy,
    confirmBy: i.confirmBy,
    completedBy: i.completedBy,
    note: i.note,
  };
}

const confirmSeconds = (deps: Deps) => deps.policy.instructionConfirmSeconds ?? DEFAULT_CONFIRM_SECONDS;

/**
 * A contact who may instruct gives support an instruction. Account deletion needs four eyes: it
 * waits for a second instructing contact until `confirmBy` (409 when the tenant has none); the
 * other kinds stand at once.
 */
export async function requestInstruction(
  deps: SchedulingDeps,
  tenantId: string,
  contact: Contact,
  input: InstructionInput,
  now: Date,
): Promise<Instruction> {
  const details = normaliseText(input.details, 'details', 1, DETAILS_MAX);
  const fourEyes = needsFourEyes(input.kind);
  const instruction: Instruction = {
    instructionId: deps.ids.next(now),
    tenantId,
    kind: input.kind,
    details,
    status: fourEyes ? 'pending-confirmation' : 'confirmed',
    requestedBy: contactRef(contact),
    confirmedBy: null,
    rejectedBy: null,
    createdAt: now.toISOString(),
    confirmBy: fourEyes ? new Date(now.getTime() + confirmSeconds(deps) * 1000).toISOString() : null,
    completedAt: null,
    completedBy: null,
    note: null,
  };
  if (fourEyes) {
    const confirmers = (await deps.store.listContacts(tenantId)).filter((c) => mayConfirm(instruction, c));
    if (confirmers.length === 0) throw new SecondContactRequiredError(tenantId);
  }
  await deps.store.createInstruction(
    instruction,
    newEvent(
      deps,
      now,
      tenantId,
      'instruction.requested',
      contact.email,
      null,
      instructionDetails(instruction),
    ),
  );
  const confirmBy = instruction.confirmBy;
  if (confirmBy) {
    try {
      await deps.scheduler.scheduleLapse({ tenantId, instructionId: instruction.instructionId, confirmBy });
    } catch (error) {
      // The minute sweep lapses it all the same; the schedule only makes it exact.
      deps.log.error('Lapse schedule failed; the sweep will lapse the instruction', {
        instructionId: instruction.instructionId,
        error: (error as Error).name,
      });
    }
  }
  return instruction;
}

async function current(deps: Deps, tenantId: string, instructionId: string): Promise<Instruction> {
  const found = await deps.store.getInstruction(tenantId, instructionId);
  if (!found) throw new NotFoundError('Instruction');
  return found;
}

/** A second instructing contact confirms a pending instruction (not its requester: four eyes). */
export const confirmInstruction = (...args: DecisionArgs) => decideAndUnschedule(...args, 'confirmed');

/** Any instructing contact (the requester too) rejects a pending instruction. */
export const rejectInstruction = (...args: DecisionArgs) => decideAndUnschedule(...args, 'rejected');

type DecisionArgs = [
  deps: SchedulingDeps,
  tenantId: string,
  instructionId: string,
  contact: Contact,
  now: Date,
];

/** Decided either way, the instruction no longer lapses: its schedule goes (best effort; the lapse is a no-op). */
async function decideAndUnschedule(
  ...[deps, tenantId, instructionId, contact, now, to]: [...DecisionArgs, 'confirmed' | 'rejected']
): Promise<Instruction> {
  const after = await decide(deps, tenantId, instructionId, contact, now, to);
  await deps.scheduler.unscheduleLapse({ tenantId, instructionId }).catch(() => undefined);
  return after;
}

async function decide(
  deps: Deps,
  tenantId: string,
  instructionId: string,
  contact: Contact,
  now: Date,
  to: 'confirmed' | 'rejected',
): Promise<Instruction> {
  if (!contact.canInstruct) throw new NotAuthorizedContactError(tenantId, 'instruct');
  return retryOnConflict(async () => {
    const before = await current(deps, tenantId, instructionId);
    if (effectiveInstruction(before, now).status !== 'pending-confirmation')
      throw new InstructionNotPendingError(instructionId);
    if (to === 'confirmed' && !mayConfirm(before, contact)) throw new FourEyesRequiredError();
    const after: Instruction = {
      ...before,
      status: to,
      ...(to === 'confirmed' ? { confirmedBy: contactRef(contact) } : { rejectedBy: contactRef(contact) }),
    };
    try {
      await deps.store.changeInstruction(
        before,
        after,
        newEvent(deps, now, tenantId, `instruction.${to}`, contact.email, null, instructionDetails(after)),
        now,
        contact.contactId,
      );
    } catch (error) {
      // Lost to another decision or to the lapse: what it is now decides the answer.
      if ((error as Error).name === 'ConcurrentModificationError') {
        const now_ = await current(deps, tenantId, instructionId);
        if (effectiveInstruction(now_, now).status !== 'pending-confirmation')
          throw new InstructionNotPendingError(instructionId);
      }
      throw error;
    }
    return after;
  });
}

/** A support agent marks a confirmed instruction as carried out. */
export async function completeInstruction(
  deps: Deps,
  tenantId: string,
  instructionId: string,
  agentEmail: string,
  note: string | null | undefined,
  now: Date,
): Promise<Instruction> {
  const text = note == null ? null : normaliseText(note, 'note', 0, NOTE_MAX) || null;
  return retryOnConflict(async () => {
    const before = await current(deps, tenantId, instructionId);
    if (before.status !== 'confirmed') throw new InstructionNotConfirmedError(instructionId);
    const after: Instruction = {
      ...before,
      status: 'done',
      completedAt: now.toISOString(),
      completedBy: agentEmail,
      note: text,
    };
    try {
      await deps.store.changeInstruction(
        before,
        after,
        newEvent(deps, now, tenantId, 'instruction.completed', agentEmail, null, instructionDetails(after)),
        now,
      );
    } catch (error) {
      if ((error as Error).name === 'ConcurrentModificationError')
        throw new InstructionNotConfirmedError(instructionId);
      throw error;
    }
    return after;
  });
}

export type LapseOutcome = 'lapsed' | 'not-due' | 'not-pending' | 'not-found';

/** Lapses a pending instruction at its `confirmBy` (schedule and sweep): idempotent, race-safe. */
export async function lapseInstruction(
  deps: Deps,
  tenantId: string,
  instructionId: string,
): Promise<LapseOutcome> {
  return retryOnConflict(async () => {
    const before = await deps.store.getInstruction(tenantId, instructionId);
    if (!before) return 'not-found';
    if (before.status !== 'pending-confirmation' || !before.confirmBy) return 'not-pending';
    const now = deps.clock.now();
    if (now.getTime() < Date.parse(before.confirmBy)) return 'not-due';
    const after: Instruction = { ...before, status: 'lapsed' };
    await deps.store.changeInstruction(
      before,
      after,
      newEvent(deps, now, tenantId, 'instruction.lapsed', 'system', null, instructionDetails(after)),
      now,
    );
    return 'lapsed';
  });
}

/** Lapses every pending instruction past its confirmBy whose schedule did not (bounded per run). */
export async function sweepLapsedInstructions(deps: Deps, max = 500): Promise<{ lapsed: number }> {
  let lapsed = 0;
  await sweepPages(
    (page) => deps.store.listLapsingInstructions(deps.clock.now(), page),
    max,
    async (i) => {
      if ((await lapseInstruction(deps, i.tenantId, i.instructionId)) === 'lapsed') lapsed++;
    },
  );
  return { lapsed };
}

export async function listInstructions(
  deps: Deps,
  tenantId: string,
  page: PageRequest,
  now: Date,
): Promise<Page<Instruction>> {
  const result = await deps.store.listInstructions(tenantId, page);
  return { items: result.items.map((i) => effectiveInstruction(i, now)), nextCursor: result.nextCursor };
}

export async function listConfirmedInstructions(deps: Deps, page: PageRequest): Promise<Page<Instruction>> {
  return deps.store.listConfirmedInstructions(page);
}

export async function getInstruction(deps: Deps, tenantId: string, instructionId: string, now: Date) {
  return effectiveInstruction(await current(deps, tenantId, instructionId), now);
}
