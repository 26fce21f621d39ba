import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PUBLISH_RECORDS_FILTERS } from '../../functions/adapters/dynamodb/stream.ts';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import type { AppFunction } from './function.ts';
import { streamConsumer } from './stream-failures.ts';

/** What another account needs to keep its own rules on the bus (EventBridge's documented set). */
const RULE_ACTIONS = [
  'PutRule',
  'PutTargets',
  'DeleteRule',
  'RemoveTargets',
  'DisableRule',
  'EnableRule',
  'TagResource',
  'UntagResource',
  'DescribeRule',
  'ListTargetsByRule',
  'ListTagsForResource',
];

export interface VendorEventBusProps {
  stage: string;
  table: ITable;
  environment: Record<string, string>;
  /** Other accounts of the vendor that may put rules on the bus (their own targets). */
  ruleAccounts?: readonly string[] | undefined;
}

/**
 * The vendor's event bus (`SupportAccess-<stage>`) and the publisher that carries every
 * deliverable event from the table's stream onto it. The publisher is a stream consumer of its
 * own: a bus outage holds back only the bus, never a grant change, a mail, a check's record or
 * the chain, and the stream keeps the events (24 h) until the bus takes them.
 */
export class VendorEventBus extends Construct {
  readonly bus: EventBus;
  readonly publisher: AppFunction;
  readonly failures: Queue;
  /** Stream batches the publisher gave up on (after 24 h): those events never reached the bus. */
  readonly failuresAlarm: Alarm;
  /** The publisher is behind the stream: the bus (or the publisher) has been failing for minutes. */
  readonly behindAlarm: Alarm;

  constructor(scope: Construct, id: string, props: VendorEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: `SupportAccess-${props.stage}` });
    for (const account of props.ruleAccounts ?? []) {
      if (!/^\d{12}$/.test(account))
        throw new Error(`eventBusRuleAccounts: "${account}" is not an account id`);
    }
    // Other accounts of the vendor may manage rules on this bus that they created themselves
    // (and so route events to their own targets); they cannot put events on it or touch ours.
    for (const account of props.ruleAccounts ?? []) {
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: `RulesOf${account}`,
          principals: [new AccountPrincipal(account)],
          actions: RULE_ACTIONS.map((action) => `events:${action}`),
          resources: [
            Stack.of(this).formatArn({
              service: 'events',
              resource: 'rule',
              resourceName: `${this.bus.eventBusName}/*`,
            }),
          ],
          conditions: { StringEqualsIfExists: { 'events:creatorAccount': account } },
        }),
      );
    }
    const publisher = streamConsumer(this, 'Publisher', {
      background: BACKGROUND_FUNCTIONS.publishEvents,
      environment: { ...props.environment, EVENT_BUS_NAME: this.bus.eventBusName },
      table: props.table,
      failureAlarm:
        "The event publisher gave up on stream records: some events never reached the vendor's event bus",
    });
    this.publisher = publisher.fn;
    this.failures = publisher.failures;
    this.failuresAlarm = publisher.failuresAlarm;
    this.bus.grantPutEventsTo(this.publisher.fn);
    this.publisher.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // No batching window: an event is on the bus within a second or two of being written.
        reportBatchItemFailures: true,
        // Retried for as long as the stream keeps the events: an outage of the bus loses none.
        retryAttempts: 10_000,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.failures),
        filters: PUBLISH_RECORDS_FILTERS.map((filter) => FilterCriteria.filter(filter)),
      }),
    );
    this.behindAlarm = new Alarm(this, 'PublisherBehindAlarm', {
      alarmDescription:
        "The event publisher is more than 5 minutes behind the stream: the vendor's tools do not hear of grants ending; see docs/operations.md",
      metric: this.publisher.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 300_000,
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      description: "The vendor's event bus",
    });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn });
  }
}
