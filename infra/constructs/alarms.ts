import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AppFunction } from './function.ts';

export interface AlarmsProps {
  /** Where the functions publish their metrics: one namespace per stage (`metricsNamespace`). */
  namespace: string;
  functions: Record<string, AppFunction>;
  extraAlarms: Alarm[];
  /** Who is told; none: the alarms still show in CloudWatch. */
  alarmEmail?: string | undefined;
}

/**
 * One namespace per stage, so one stage's failures never fire another's alarms. The functions'
 * Powertools Metrics read it from POWERTOOLS_METRICS_NAMESPACE.
 */
export const metricsNamespace = (stage: string) => `SupportAccess/${stage}`;
const dimensions = { service: 'support-access' };

/**
 * Errors and throttles per function, revocation lateness, missed schedules, failed emails: all to
 * one encrypted topic.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the alarm topic',
      // Nothing it encrypts outlives the stack (topics keep no messages): deleted with it, after a week.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const add = (alarm: Alarm) => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };
    for (const [name, fn] of Object.entries(props.functions)) {
      add(
        new Alarm(this, `${name}Errors`, {
          alarmDescription: `${name}: function errors`,
          metric: fn.fn.metricErrors({ period: Duration.minutes(5) }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      add(
        new Alarm(this, `${name}Throttles`, {
          alarmDescription: `${name}: throttled invocations`,
          metric: fn.fn.metricThrottles({ period: Duration.minutes(5) }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    add(
      new Alarm(this, 'RevocationLateness', {
        alarmDescription: 'Grants end more than 90 s after their deadline (p99): the schedules run late',
        metric: new Metric({
          namespace: props.namespace,
          metricName: 'RevocationLatenessMs',
          dimensionsMap: dimensions,
          statistic: 'p99',
          period: Duration.minutes(5),
        }),
        threshold: 90_000,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    /** Any occurrence within 5 minutes of a count our functions publish. */
    const anyOf = (id: string, metricName: string, alarmDescription: string) =>
      add(
        new Alarm(this, id, {
          alarmDescription,
          metric: new Metric({
            namespace: props.namespace,
            metricName,
            dimensionsMap: dimensions,
            statistic: 'Sum',
            period: Duration.minutes(5),
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    anyOf(
      'MissedSchedules',
      'SweepMissedSchedules',
      'The sweep ended grants whose schedule never fired (access had ended at the deadline)',
    );
    anyOf(
      'NotificationsFailed',
      'NotificationsFailed',
      'Emails failed for good (notification.failed): a contact was not told about a grant event',
    );
    for (const alarm of props.extraAlarms) add(alarm);
  }
}
