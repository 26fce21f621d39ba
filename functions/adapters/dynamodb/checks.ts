import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import type { CheckMark, CheckRecordStore } from '../../domain/ports.ts';
import { appendEventOnce } from './audit.ts';
import { count, text } from './fields.ts';
import { keys } from './keys.ts';
import { isConditionFailure, type Table } from './table.ts';

/**
 * The access checks' events and the check mark: how far a tenant's stamped checks (counted on
 * its access item) have their events without a gap. Only the check recorder moves the mark.
 */
export class DynamoCheckRecords implements CheckRecordStore {
  constructor(private readonly table: Table) {}

  appendEventOnce(event: AuditEvent): Promise<boolean> {
    return appendEventOnce(this.table, event);
  }

  async stampedChecks(tenantId: string): Promise<number> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.activePointer());
    return typeof item?.checkSeq === 'number' ? item.checkSeq : 0;
  }

  /** How far the tenant's stamped checks are recorded without a gap (null: none yet). */
  async checkMark(tenantId: string): Promise<CheckMark | null> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.checkMark);
    if (!item) return null;
    return { seq: count(item, 'seq'), checkedAt: text(item, 'checkedAt') };
  }

  /**
   * Moves the mark from `after` (the check before the recorded run; 0 for the first) to `to`,
   * but only over a run that continues it: a mark at or past `to` stays ('ahead': recorded
   * already), a mark before `after` stays too ('gap': checks in between were never recorded).
   */
  async advanceCheckMark(
    tenantId: string,
    after: number,
    to: CheckMark,
  ): Promise<'advanced' | 'ahead' | 'gap'> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: keys.tenant(tenantId), sk: keys.checkMark },
          UpdateExpression: 'SET kind = :kind, tenantId = :tenantId, seq = :seq, checkedAt = :checkedAt',
          ConditionExpression:
            after === 0 ? 'attribute_not_exists(seq) OR seq < :seq' : 'seq BETWEEN :after AND :before',
          ExpressionAttributeValues: {
            ':kind': 'check-mark',
            ':tenantId': tenantId,
            ':seq': to.seq,
            ':checkedAt': to.checkedAt,
            ...(after === 0 ? {} : { ':after': after, ':before': to.seq - 1 }),
          },
        }),
      );
      return 'advanced';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const mark = await this.checkMark(tenantId);
      return mark !== null && mark.seq >= to.seq ? 'ahead' : 'gap';
    }
  }
}
