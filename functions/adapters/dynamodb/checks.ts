import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit.ts';
import type { CheckMark, CheckRecordStore, CheckState, CountedCheck } from '../../domain/ports.ts';
import { appendEventOnce } from './audit.ts';
import { count, countOrNull, text } from './fields.ts';
import { eventItem } from './items.ts';
import { keys } from './keys.ts';
import { isConditionFailure, type Table } from './table.ts';

/** Tenants one `BatchGetItem` reads (two items each; a request holds 100 keys). */
const BATCH_GET_TENANTS = 50;
/** Rounds of a batch read's unprocessed keys before giving up (the stream delivers the batch again). */
const BATCH_GET_ATTEMPTS = 8;

/**
 * The access checks' events and the check mark: how far a tenant's stamped checks (counted on
 * its access item) have their events without a gap. Only the check recorder moves the mark.
 */
export class DynamoCheckRecords implements CheckRecordStore {
  constructor(private readonly table: Table) {}

  appendEventOnce(event: AuditEvent): Promise<boolean> {
    return appendEventOnce(this.table, event);
  }

  /** One plain conditional put: a transaction would bill it twice. */
  putCheckEvent(event: AuditEvent): Promise<boolean> {
    return this.table.writeIf({
      Put: { Item: eventItem(event), ConditionExpression: 'attribute_not_exists(pk)' },
    });
  }

  /**
   * One update of the grant for all the checks of a run (`receiptCheckSeq`: the stamp count of
   * the last check counted). Normally the whole run is new; when part of it was counted already
   * (a batch the stream delivered again in other bounds), the grant is read and only the checks
   * after its count are added, conditioned on that count.
   */
  async tallyChecks(tenantId: string, grantId: string, checks: readonly CountedCheck[]): Promise<number> {
    const first = checks[0];
    if (!first) return 0;
    const add = (counted: readonly CountedCheck[], condition: string, values: Record<string, unknown>) =>
      this.table.writeIf({
        Update: {
          Key: { pk: keys.tenant(tenantId), sk: keys.grant(grantId) },
          UpdateExpression: 'ADD receiptChecks :n, receiptAgents :agents SET receiptCheckSeq = :last',
          ConditionExpression: `attribute_exists(pk) AND (${condition})`,
          ExpressionAttributeValues: {
            ':n': counted.length,
            ':agents': new Set(counted.map((c) => c.agent)),
            ':last': counted.at(-1)?.seq,
            ...values,
          },
        },
      });
    if (
      await add(checks, 'attribute_not_exists(receiptCheckSeq) OR receiptCheckSeq < :first', {
        ':first': first.seq,
      })
    )
      return checks.length;
    for (let attempt = 0; attempt < 3; attempt++) {
      const grant = await this.table.getItem(keys.tenant(tenantId), keys.grant(grantId));
      if (!grant) throw new Error(`The grant ${grantId} of these access checks does not exist.`);
      const counted = countOrNull(grant, 'receiptCheckSeq') ?? 0;
      const rest = checks.filter((c) => c.seq > counted);
      if (rest.length === 0) return 0;
      if (await add(rest, 'receiptCheckSeq = :counted', { ':counted': counted })) return rest.length;
    }
    throw new Error(`The receipt of grant ${grantId} kept moving while its checks were counted.`);
  }

  async stampedChecks(tenantId: string): Promise<number> {
    const item = await this.table.getItem(keys.tenant(tenantId), keys.activePointer());
    return typeof item?.checkSeq === 'number' ? item.checkSeq : 0;
  }

  /**
   * One `BatchGetItem` (strongly consistent) for the access items and marks of up to 50 tenants,
   * the requests side by side: the chainer reads every tenant of its batch at once.
   */
  async checkStates(tenantIds: readonly string[]): Promise<Map<string, CheckState>> {
    const unique = [...new Set(tenantIds)];
    const states = new Map<string, CheckState>(unique.map((t) => [t, { stamped: 0, mark: null }]));
    const byPartition = new Map(unique.map((t) => [keys.tenant(t), states.get(t)]));
    const requests: Record<string, unknown>[][] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_TENANTS)
      requests.push(
        unique
          .slice(start, start + BATCH_GET_TENANTS)
          .flatMap((t) => [keys.activePointer(), keys.checkMark].map((sk) => ({ pk: keys.tenant(t), sk }))),
      );
    await Promise.all(
      requests.map(async (initial) => {
        let wanted = initial;
        for (let attempt = 0; wanted.length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
          if (attempt >= BATCH_GET_ATTEMPTS)
            throw new Error('DynamoDB left keys of a batch read unprocessed.');
          const { Responses, UnprocessedKeys } = await this.table.doc.send(
            new BatchGetCommand({
              RequestItems: { [this.table.name]: { Keys: wanted, ConsistentRead: true } },
            }),
          );
          for (const item of Responses?.[this.table.name] ?? []) {
            const state = byPartition.get(text(item, 'pk'));
            if (!state) continue;
            if (item.sk === keys.checkMark)
              state.mark = { seq: count(item, 'seq'), checkedAt: text(item, 'checkedAt') };
            else state.stamped = typeof item.checkSeq === 'number' ? item.checkSeq : 0;
          }
          wanted = (UnprocessedKeys?.[this.table.name]?.Keys ?? []) as Record<string, unknown>[];
        }
      }),
    );
    return states;
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
