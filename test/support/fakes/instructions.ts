import { ConcurrentModificationError, NotAuthorizedContactError } from '../../../functions/domain/errors.ts';
import type { Instruction } from '../../../functions/domain/instruction.ts';
import type { InstructionStore } from '../../../functions/domain/ports.ts';
import { compare, contactKey, type World } from './world.ts';

const PAST = '~';
const key = (i: Pick<Instruction, 'tenantId' | 'instructionId'>) => `${i.tenantId}#${i.instructionId}`;

/** Instructions in memory, each change with its event. */
export class FakeInstructions implements InstructionStore {
  constructor(private readonly world: World) {}

  createInstruction: InstructionStore['createInstruction'] = async (instruction, event) => {
    this.mayInstruct(instruction.tenantId, instruction.requestedBy.contactId);
    if (this.world.instructions.has(key(instruction)) || this.world.hasEvent(event))
      throw new ConcurrentModificationError();
    this.world.instructions.set(key(instruction), structuredClone(instruction));
    this.world.writeEvent(event);
  };

  getInstruction: InstructionStore['getInstruction'] = async (tenantId, instructionId) => {
    const found = this.world.instructions.get(key({ tenantId, instructionId }));
    return found ? structuredClone(found) : null;
  };

  changeInstruction: InstructionStore['changeInstruction'] = async (
    before,
    after,
    event,
    at,
    actingContactId,
  ) => {
    if (actingContactId) this.mayInstruct(before.tenantId, actingContactId);
    const current = this.world.instructions.get(key(before));
    const pendingUntil = before.status === 'pending-confirmation' && after.status !== 'lapsed';
    if (
      current?.status !== before.status ||
      (pendingUntil && !(current.confirmBy !== null && current.confirmBy > at.toISOString())) ||
      this.world.hasEvent(event)
    )
      throw new ConcurrentModificationError();
    this.world.instructions.set(key(before), structuredClone(after));
    this.world.writeEvent(event);
  };

  listInstructions: InstructionStore['listInstructions'] = async (tenantId, page) => {
    const mine = this.all()
      .filter((i) => i.tenantId === tenantId)
      .map((i) => ({ key: i.instructionId, value: i }))
      .sort((a, b) => compare(b.key, a.key));
    return this.world.page(`instructions#${tenantId}`, mine, page, 'desc');
  };

  listConfirmedInstructions: InstructionStore['listConfirmedInstructions'] = async (page) => {
    const confirmed = this.all()
      .filter((i) => i.status === 'confirmed')
      .map((i) => ({ key: `${i.createdAt}#${key(i)}`, value: i }))
      .sort((a, b) => compare(a.key, b.key));
    return this.world.page('confirmed', confirmed, page);
  };

  listLapsingInstructions: InstructionStore['listLapsingInstructions'] = async (now, page) => {
    const bound = `${now.toISOString()}${PAST}`;
    const lapsing = this.all()
      .flatMap((i) =>
        i.status === 'pending-confirmation' && i.confirmBy
          ? [{ key: `${i.confirmBy}#${key(i)}`, value: i }]
          : [],
      )
      .filter((i) => i.key < bound)
      .sort((a, b) => compare(a.key, b.key));
    return this.world.page('pending', lapsing, page);
  };

  private all(): Instruction[] {
    return [...this.world.instructions.values()];
  }

  private mayInstruct(tenantId: string, contactId: string): void {
    if (!this.world.contacts.get(contactKey(tenantId, contactId))?.canInstruct)
      throw new NotAuthorizedContactError(tenantId, 'instruct');
  }
}
