import type { AuditEvent } from '../../domain/audit.ts';
import { NotAuthorizedContactError } from '../../domain/errors.ts';
import { INSTRUCTION_KINDS, INSTRUCTION_STATUSES, type Instruction } from '../../domain/instruction.ts';
import type { InstructionStore, Page, PageRequest } from '../../domain/ports.ts';
import { contactRef, contactRefOrNull, oneOf, text, textOrNull } from './fields.ts';
import { keys } from './keys.ts';
import { type GuardedItem, guarded, type Item, type Table, type TransactStep } from './table.ts';
import { ACTIVE_BY_DEADLINE_INDEX } from './table-definition.ts';

const PAST = '~';

/** Where an instruction stands in the index: pending ones by deadline, confirmed ones by age. */
function indexEntry(i: Instruction): Item {
  if (i.status === 'pending-confirmation' && i.confirmBy)
    return {
      gsi1pk: keys.pendingInstructionsPartition,
      gsi1sk: `${i.confirmBy}#${i.tenantId}#${i.instructionId}`,
    };
  if (i.status === 'confirmed')
    return {
      gsi1pk: keys.confirmedInstructionsPartition,
      gsi1sk: `${i.createdAt}#${i.tenantId}#${i.instructionId}`,
    };
  return {};
}

function toInstruction(item: Item): Instruction {
  return {
    instructionId: text(item, 'instructionId'),
    tenantId: text(item, 'tenantId'),
    kind: oneOf(item, 'kind_', INSTRUCTION_KINDS),
    details: text(item, 'details'),
    status: oneOf(item, 'status', INSTRUCTION_STATUSES),
    requestedBy: contactRef(item, 'requestedBy'),
    confirmedBy: contactRefOrNull(item, 'confirmedBy'),
    rejectedBy: contactRefOrNull(item, 'rejectedBy'),
    createdAt: text(item, 'createdAt'),
    confirmBy: textOrNull(item, 'confirmBy'),
    completedAt: textOrNull(item, 'completedAt'),
    completedBy: textOrNull(item, 'completedBy'),
    note: textOrNull(item, 'note'),
  };
}

function instructionItem(i: Instruction): Item {
  const { kind, ...rest } = i;
  // `kind` names the item type in this table; the instruction's kind is stored as `kind_`.
  return {
    pk: keys.tenant(i.tenantId),
    sk: keys.instruction(i.instructionId),
    kind: 'instruction',
    kind_: kind,
    ...rest,
    ...indexEntry(i),
  };
}

/** Instructions: one item each, every change with its audit event in one transaction. */
export class DynamoInstructions implements InstructionStore {
  constructor(private readonly table: Table) {}

  private mayInstruct(tenantId: string, contactId: string): GuardedItem {
    return guarded(
      {
        ConditionCheck: {
          TableName: this.table.name,
          Key: { pk: keys.tenant(tenantId), sk: keys.contact(contactId) },
          ConditionExpression: 'attribute_exists(pk) AND canInstruct = :true',
          ExpressionAttributeValues: { ':true': true },
        },
      },
      () => new NotAuthorizedContactError(tenantId, 'instruct'),
    );
  }

  async createInstruction(instruction: Instruction, event: AuditEvent): Promise<void> {
    await this.table.transact([
      this.mayInstruct(instruction.tenantId, instruction.requestedBy.contactId),
      {
        Put: {
          TableName: this.table.name,
          Item: instructionItem(instruction),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.table.putEvent(event),
    ]);
  }

  async getInstruction(tenantId: string, instructionId: string): Promise<Instruction | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.instruction(instructionId));
    return item ? toInstruction(item) : null;
  }

  /**
   * Moves an instruction on from `before.status`, with its event, only while it still has that
   * status (and, leaving pending, while its `confirmBy` lies after `at`); the acting contact, if
   * any, must still exist and may instruct. Else ConcurrentModificationError / NotAuthorizedContactError.
   */
  async changeInstruction(
    before: Instruction,
    after: Instruction,
    event: AuditEvent,
    at: Date,
    actingContactId?: string,
  ): Promise<void> {
    const pendingUntil = before.status === 'pending-confirmation' && after.status !== 'lapsed';
    const items: TransactStep[] = [
      ...(actingContactId ? [this.mayInstruct(before.tenantId, actingContactId)] : []),
      {
        Put: {
          TableName: this.table.name,
          Item: instructionItem(after),
          ConditionExpression: pendingUntil ? '#status = :from AND confirmBy > :at' : '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':from': before.status,
            ...(pendingUntil ? { ':at': at.toISOString() } : {}),
          },
        },
      },
      this.table.putEvent(event),
    ];
    await this.table.transact(items);
  }

  async listInstructions(tenantId: string, page: PageRequest): Promise<Page<Instruction>> {
    return this.table.newestFirst(keys.tenant(tenantId), keys.instructionPrefix, page, toInstruction);
  }

  /** Confirmed instructions of every tenant, oldest first (the agents' queue). */
  async listConfirmedInstructions(page: PageRequest): Promise<Page<Instruction>> {
    return this.queryIndex(keys.confirmedInstructionsPartition, null, page);
  }

  /** Pending instructions whose `confirmBy` is at or before `now` (to lapse). */
  async listLapsingInstructions(now: Date, page: PageRequest): Promise<Page<Instruction>> {
    return this.queryIndex(keys.pendingInstructionsPartition, `${now.toISOString()}${PAST}`, page);
  }

  private queryIndex(partition: string, below: string | null, page: PageRequest): Promise<Page<Instruction>> {
    return this.table.queryPage(
      {
        IndexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
        KeyConditionExpression: below ? 'gsi1pk = :p AND gsi1sk < :below' : 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': partition, ...(below ? { ':below': below } : {}) },
        ScanIndexForward: true,
      },
      page,
      { fixed: { gsi1pk: partition }, prefixed: { gsi1sk: '', pk: 'TENANT#', sk: keys.instructionPrefix } },
      toInstruction,
      () => true,
      (item) => ({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk }),
    );
  }
}
