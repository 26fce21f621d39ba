import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHAIN_RECORDS_FILTERS } from '../../functions/adapters/dynamodb/stream.ts';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { AppFunction } from './function.ts';
import { grantNeeds } from './grants-access.ts';
import { streamFailures } from './stream-failures.ts';

export interface AuditChainProps {
  table: ITable;
  environment: Record<string, string>;
}

/**
 * The chaining step: stream → chain function, which links each tenant's settled audit events
 * into its hash chain. Separate from the notifier, so mail trouble never delays the chain.
 */
export class AuditChain extends Construct {
  readonly chainer: AppFunction;
  readonly failures: Queue;
  /** Stream batches the chainer gave up on: some events stay unchained until it runs again. */
  readonly failuresAlarm: Alarm;
  /** The chainer has fallen behind the stream (a batch failing again and again, or too much to do). */
  readonly stuckAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AuditChainProps) {
    super(scope, id);
    const failures = streamFailures(
      this,
      'The audit chainer gave up on stream records: some audit events are not chained',
    );
    this.failures = failures.queue;
    this.failuresAlarm = failures.alarm;
    this.chainer = new AppFunction(this, 'Chainer', {
      ...BACKGROUND_FUNCTIONS.chainAudit,
      environment: props.environment,
      // It waits until a batch's events have settled (20 s) before chaining them.
      timeout: Duration.seconds(60),
    });
    grantNeeds(this.chainer.fn, BACKGROUND_FUNCTIONS.chainAudit.needs, props.table);
    this.stuckAlarm = new Alarm(this, 'ChainerBehindAlarm', {
      alarmDescription:
        'The audit chainer is more than 5 minutes behind the stream: access checks and events are not chained',
      metric: this.chainer.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 300_000,
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.chainer.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        // A batch waits only until its newest record is 20 s old: behind, it waits not at all, so
        // 100 records a batch keeps up with checks stamped many times a second.
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        // A check's stamp reaches the log only through this consumer: a batch is retried for as
        // long as the stream keeps it, never skipped while it can still succeed (a stuck batch
        // raises the iterator-age alarm long before).
        retryAttempts: 10_000,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.failures),
        // The same filter the local stream poller applies.
        filters: CHAIN_RECORDS_FILTERS.map((filter) => FilterCriteria.filter(filter)),
      }),
    );
  }
}
