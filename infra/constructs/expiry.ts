import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { AppFunction } from './function.ts';
import { grantNeeds, type ScheduleAccess } from './grants-access.ts';

export interface ExpiryProps {
  table: ITable;
  environment: Record<string, string>;
}

/**
 * Ending access by itself: the schedule group, the Scheduler's own role (allowed to invoke only
 * the expiry function and to dead-letter into its queue), the expiry and sweep functions.
 */
export class Expiry extends Construct {
  readonly expiryFunction: AppFunction;
  readonly sweepFunction: AppFunction;
  /** Named by CloudFormation: `Ref` is its name. */
  readonly scheduleGroup: CfnScheduleGroup;
  readonly schedulerRole: Role;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly scheduleAccess: ScheduleAccess;
  /** What the API functions need to create schedules. */
  readonly schedulerEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: ExpiryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Named by CloudFormation, so a deploy after a rollback or a teardown can create it again.
    // Its schedules go with it: after a teardown the table is kept, and on re-attach the sweep
    // ends every grant whose schedule is gone.
    this.scheduleGroup = new CfnScheduleGroup(this, 'Group');
    this.scheduleGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);
    const groupName = this.scheduleGroup.ref;
    new CfnOutput(this, 'ScheduleGroupName', {
      value: groupName,
      description: "Every grant's expiry and reminder schedules, and every instruction's lapse",
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'An expiry schedule exhausted its retries: a grant was ended by the sweep instead.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.expiryFunction = new AppFunction(this, 'ExpireGrant', {
      ...BACKGROUND_FUNCTIONS.expireGrant,
      environment: props.environment,
    });
    grantNeeds(this.expiryFunction.fn, BACKGROUND_FUNCTIONS.expireGrant.needs, props.table);

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the expiry function',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          // The Scheduler gives its schedule group as the source (not the schedule): see
          // "Confused deputy prevention" in the EventBridge Scheduler user guide.
          ArnEquals: { 'aws:SourceArn': this.scheduleGroup.attrArn },
        },
      }),
    });
    this.schedulerRole.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.expiryFunction.fn.functionArn],
      }),
    );
    this.schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );

    this.scheduleAccess = {
      groupName,
      groupFinding: `<${stack.getLogicalId(this.scheduleGroup)}>`,
      schedulerRole: this.schedulerRole,
    };
    this.schedulerEnvironment = {
      SCHEDULE_GROUP: groupName,
      EXPIRY_FUNCTION_ARN: this.expiryFunction.fn.functionArn,
      SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      SCHEDULE_DLQ_ARN: this.deadLetterQueue.queueArn,
    };

    this.sweepFunction = new AppFunction(this, 'Sweep', {
      ...BACKGROUND_FUNCTIONS.sweep,
      environment: { ...props.environment, ...this.schedulerEnvironment },
      timeout: Duration.seconds(50),
    });
    grantNeeds(this.sweepFunction.fn, BACKGROUND_FUNCTIONS.sweep.needs, props.table, this.scheduleAccess);
    new Rule(this, 'EveryMinute', {
      description: 'Safety-net sweep of overdue grants',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.sweepFunction.fn, { retryAttempts: 2 })],
    });
  }
}
