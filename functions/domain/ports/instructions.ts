import type { AuditEvent } from '../audit.ts';
import type { Instruction } from '../instruction.ts';
import type { Page, PageRequest } from './paging.ts';

/** Instructions (Weisungen): every change with its audit event, in one transaction. */
export interface InstructionStore {
  /** NotAuthorizedContactError when the requester is gone or may no longer instruct. */
  createInstruction(instruction: Instruction, event: AuditEvent): Promise<void>;
  getInstruction(tenantId: string, instructionId: string): Promise<Instruction | null>;
  /**
   * Only while it still has `before.status` (leaving pending: while `confirmBy` lies after
   * `at`), else ConcurrentModificationError; the acting contact must still exist and may instruct.
   */
  changeInstruction(
    before: Instruction,
    after: Instruction,
    event: AuditEvent,
    at: Date,
    actingContactId?: string,
  ): Promise<void>;
  /** Newest first. */
  listInstructions(tenantId: string, page: PageRequest): Promise<Page<Instruction>>;
  /** Every tenant's confirmed instructions, oldest first. */
  listConfirmedInstructions(page: PageRequest): Promise<Page<Instruction>>;
  /** Pending instructions whose confirmBy is at or before `now`. */
  listLapsingInstructions(now: Date, page: PageRequest): Promise<Page<Instruction>>;
}
