import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PUBLISH_RECORDS_FILTERS } from '../../functions/adapters/dynamodb/stream.ts';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { WEBHOOK_EVENT_SOURCE } from '../../functions/use-cases/webhook-delivery.ts';
import { AppFunction } from './function.ts';
import { grantNeeds } from './grants-access.ts';
import { streamConsumer } from './stream-failures.ts';

export interface CustomerWebhooksProps {
  table: ITable;
  environment: Record<string, string>;
}

/**
 * Customers' webhooks: the sender on the table's stream (its own consumer, reading the same
 * deliverable events as the event publisher) and the retry driver every minute. Neither is
 * ever given WEBHOOKS_ALLOW_LOOPBACK: in AWS no delivery may reach a loopback address.
 */
export class CustomerWebhooks extends Construct {
  readonly sender: AppFunction;
  readonly retrier: AppFunction;
  readonly failures: Queue;
  readonly failuresAlarm: Alarm;
  readonly behindAlarm: Alarm;

  constructor(scope: Construct, id: string, props: CustomerWebhooksProps) {
    super(scope, id);
    // Attempts run in parallel, each cut off after 10 s: the default 30 s holds them.
    const sender = streamConsumer(this, 'Sender', {
      background: BACKGROUND_FUNCTIONS.deliverWebhooks,
      environment: props.environment,
      table: props.table,
      failureAlarm:
        "The webhook sender gave up on stream records: some events never reached customers' webhooks",
    });
    this.sender = sender.fn;
    this.failures = sender.failures;
    this.failuresAlarm = sender.failuresAlarm;
    this.sender.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: WEBHOOK_EVENT_SOURCE.batchSize,
        // Batches of different tenants (partition keys) run side by side: an endpoint that
        // keeps its first attempt waiting holds up only the events that share its slot.
        parallelizationFactor: WEBHOOK_EVENT_SOURCE.parallelizationFactor,
        retryAttempts: 10_000,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.failures),
        filters: PUBLISH_RECORDS_FILTERS.map((filter) => FilterCriteria.filter(filter)),
      }),
    );
    this.retrier = new AppFunction(this, 'Retrier', {
      ...BACKGROUND_FUNCTIONS.retryWebhooks,
      environment: props.environment,
      timeout: Duration.seconds(70),
    });
    grantNeeds(this.retrier.fn, BACKGROUND_FUNCTIONS.retryWebhooks.needs, props.table);
    new Rule(this, 'EveryMinute', {
      description: 'Retries of customer webhook deliveries (the schedule is kept in the table)',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.retrier.fn, { retryAttempts: 2 })],
    });
    this.behindAlarm = new Alarm(this, 'SenderBehindAlarm', {
      alarmDescription:
        "The webhook sender is more than 5 minutes behind the stream: customers' webhooks hear late; see docs/operations.md",
      metric: this.sender.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 300_000,
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
