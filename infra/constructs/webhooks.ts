import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PUBLISH_RECORDS_FILTERS } from '../../functions/adapters/dynamodb/stream.ts';
import { WAKE_SCHEDULE_PREFIX } from '../../functions/adapters/retry-wake-ups.ts';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { WEBHOOK_EVENT_SOURCE } from '../../functions/use-cases/webhook-delivery.ts';
import { AppFunction } from './function.ts';
import { grantNeeds } from './grants-access.ts';
import { streamConsumer } from './stream-failures.ts';

/** What a function that wakes the retry driver is given: the wake-ups' settings and the right to create them. */
export interface RetryWakeUpAccess {
  environment: Record<string, string>;
  grant(fn: IFunction): void;
}

export interface CustomerWebhooksProps {
  table: ITable;
  environment: Record<string, string>;
}

/**
 * Customers' webhooks: the sender on the table's stream (its own consumer, reading the same
 * deliverable events as the event publisher) and the retry driver, which makes one look per
 * invocation: woken by one-time schedules in its own group when something falls due within the
 * minute, and every minute by a rule as the backstop. Neither is ever given
 * WEBHOOKS_ALLOW_LOOPBACK: in AWS no delivery may reach a loopback address.
 */
export class CustomerWebhooks extends Construct {
  readonly sender: AppFunction;
  readonly retrier: AppFunction;
  /** Named by CloudFormation: `Ref` is its name. */
  readonly wakeUpGroup: CfnScheduleGroup;
  readonly wakeUpRole: Role;
  readonly wakeUps: RetryWakeUpAccess;
  readonly failures: Queue;
  readonly failuresAlarm: Alarm;
  readonly behindAlarm: Alarm;

  constructor(scope: Construct, id: string, props: CustomerWebhooksProps) {
    super(scope, id);
    // Its own group and role: whatever wakes the driver can create schedules that invoke it and
    // nothing else, and a grant's schedules stay out of its reach.
    this.wakeUpGroup = new CfnScheduleGroup(this, 'WakeUps');
    this.wakeUpGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.wakeUpRole = new Role(this, 'WakeUpRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the webhook retry driver',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': this.wakeUpGroup.attrArn },
        },
      }),
    });
    const groupName = this.wakeUpGroup.ref;
    const wakeUpEnvironment = {
      RETRY_SCHEDULE_GROUP: groupName,
      RETRY_SCHEDULER_ROLE_ARN: this.wakeUpRole.roleArn,
    };
    // A look lasts as long as its attempts (10 s each at most), not a minute.
    this.retrier = new AppFunction(this, 'Retrier', {
      ...BACKGROUND_FUNCTIONS.retryWebhooks,
      // Its own ARN it takes from its context: the stack cannot name a function in its own environment.
      environment: { ...props.environment, ...wakeUpEnvironment },
      timeout: Duration.seconds(30),
    });
    grantNeeds(this.retrier.fn, BACKGROUND_FUNCTIONS.retryWebhooks.needs, props.table);
    this.wakeUpRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.retrier.fn.functionArn] }),
    );
    const groupFinding = `<${Stack.of(this).getLogicalId(this.wakeUpGroup)}>`;
    this.wakeUps = {
      environment: { ...wakeUpEnvironment, RETRY_FUNCTION_ARN: this.retrier.fn.functionArn },
      grant: (fn) => {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['scheduler:CreateSchedule'],
            resources: [
              `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/${WAKE_SCHEDULE_PREFIX}*`,
            ],
          }),
        );
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [this.wakeUpRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        );
        if (fn.role)
          Validations.of(fn.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupFinding}/${WAKE_SCHEDULE_PREFIX}*]`,
            reason:
              'The retry driver’s wake-ups (one schedule per time slot, named by it), in their own schedule group: the narrowest ARN there is.',
          });
      },
    };
    this.wakeUps.grant(this.retrier.fn);

    // Attempts run in parallel, each cut off after 10 s: the default 30 s holds them.
    const sender = streamConsumer(this, 'Sender', {
      background: BACKGROUND_FUNCTIONS.deliverWebhooks,
      environment: { ...props.environment, ...this.wakeUps.environment },
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
    this.wakeUps.grant(this.sender.fn);
    new Rule(this, 'EveryMinute', {
      description:
        'One look at the due webhook deliveries a minute: backs up the wake-ups (the schedule is kept in the table)',
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
