import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHAIN_RECORDS_FILTERS, CHECK_RECORDS_FILTERS } from '../../functions/adapters/dynamodb/stream.ts';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { CHAIN_EVENT_SOURCE } from '../../functions/use-cases/audit.ts';
import type { AppFunction } from './function.ts';
import { streamConsumer } from './stream-failures.ts';

export interface AuditChainProps {
  table: ITable;
  environment: Record<string, string>;
  /** The stage's metrics namespace, where the check recorder counts gaps. */
  metricsNamespace: string;
}

/**
 * The chaining step: stream → check recorder, which writes the access checks' events, and
 * stream → chain function, which links each tenant's settled audit events into its hash chain.
 * Both are separate from the notifier, so mail never delays a check's record or the chain, and
 * a flood of checks never delays mail.
 */
export class AuditChain extends Construct {
  readonly chainer: AppFunction;
  readonly recorder: AppFunction;
  readonly recorderFailures: Queue;
  /** Stream batches the check recorder gave up on: those checks are not in the log (the chain stops before them). */
  readonly recorderFailuresAlarm: Alarm;
  /** A tenant's checks have a gap: its chain waits before the first check never recorded. */
  readonly checkGapAlarm: Alarm;
  /** The check recorder has fallen behind the stream. */
  readonly recorderBehindAlarm: Alarm;
  readonly failures: Queue;
  /** Stream batches the chainer gave up on: some events stay unchained until it runs again. */
  readonly failuresAlarm: Alarm;
  /** The chainer has fallen behind the stream (a batch failing again and again, or too much to do). */
  readonly stuckAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AuditChainProps) {
    super(scope, id);
    const chainer = streamConsumer(this, 'Chainer', {
      background: BACKGROUND_FUNCTIONS.chainAudit,
      environment: props.environment,
      table: props.table,
      failureAlarm: 'The audit chainer gave up on stream records: some audit events are not chained',
    });
    this.chainer = chainer.fn;
    this.failures = chainer.failures;
    this.failuresAlarm = chainer.failuresAlarm;
    const recorderScope = new Construct(this, 'CheckRecorder');
    const recorder = streamConsumer(recorderScope, 'Function', {
      background: BACKGROUND_FUNCTIONS.recordChecks,
      environment: props.environment,
      table: props.table,
      failureAlarm:
        'The check recorder gave up on stream records: some access checks are not in the audit log',
    });
    this.recorder = recorder.fn;
    this.recorderFailures = recorder.failures;
    this.recorderFailuresAlarm = recorder.failuresAlarm;
    this.recorder.fn.addEventSource(
      everyRecordRetried(props.table, recorder.failures, CHECK_RECORDS_FILTERS),
    );
    this.recorderBehindAlarm = new Alarm(recorderScope, 'BehindAlarm', {
      alarmDescription:
        'The check recorder is more than 5 minutes behind the stream: access checks are missing from the audit log',
      metric: this.recorder.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 300_000,
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.checkGapAlarm = new Alarm(recorderScope, 'GapAlarm', {
      alarmDescription:
        'Access checks of a tenant were never recorded (a stream batch was given up): its audit chain waits before them; see docs/operations.md',
      metric: new Metric({
        namespace: props.metricsNamespace,
        metricName: 'AccessCheckGaps',
        dimensionsMap: { service: 'support-access' },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.stuckAlarm = new Alarm(this, 'ChainerBehindAlarm', {
      alarmDescription:
        'The audit chainer is more than 5 minutes behind the stream: access checks and events are not chained',
      metric: this.chainer.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 300_000,
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Records gather for the settle time, so a batch's events have settled when it arrives.
    this.chainer.fn.addEventSource(
      everyRecordRetried(props.table, this.failures, CHAIN_RECORDS_FILTERS, {
        batchSize: CHAIN_EVENT_SOURCE.batchSize,
        maxBatchingWindow: Duration.seconds(CHAIN_EVENT_SOURCE.maxBatchingWindowSeconds),
      }),
    );
  }
}

/**
 * A stream consumer through which alone records reach the audit log (checks) or its chain: a
 * batch is retried for as long as the stream keeps it, never skipped while it can still succeed
 * (a stuck batch raises the iterator-age alarm long before it is given up to `failures`). A batch
 * waits at most a second to fill: 100 records a batch keeps up with checks stamped many times a
 * second. The filters are the ones the local stream poller applies.
 */
function everyRecordRetried(
  table: ITable,
  failures: Queue,
  filters: readonly Record<string, unknown>[],
  batching = { batchSize: 100, maxBatchingWindow: Duration.seconds(1) },
) {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    ...batching,
    bisectBatchOnError: true,
    retryAttempts: 10_000,
    maxRecordAge: Duration.hours(24),
    onFailure: new SqsDlq(failures),
    filters: filters.map((filter) => FilterCriteria.filter(filter)),
  });
}
