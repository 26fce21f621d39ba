import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type Conditions, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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

/** An alarm on one period of `metric` at a value of `atLeast` or `above` the one given; no data is no alarm. */
export function alarmOn(
  scope: Construct,
  id: string,
  alarmDescription: string,
  metric: IMetric,
  when: { atLeast: number } | { above: number } = { atLeast: 1 },
): Alarm {
  return new Alarm(scope, id, {
    alarmDescription,
    metric,
    ...('above' in when
      ? { threshold: when.above, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD }
      : {
          threshold: when.atLeast,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        }),
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** A metric our functions publish in `namespace` (Powertools Metrics), over five minutes. */
export const publishedMetric = (namespace: string, metricName: string, statistic = 'Sum') =>
  new Metric({ namespace, metricName, dimensionsMap: dimensions, statistic, period: Duration.minutes(5) });

/** The key of an SNS topic that `service` publishes to, encrypted at rest. */
export function topicKey(
  scope: Construct,
  id: string,
  description: string,
  service: string,
  conditions?: Conditions,
): Key {
  const key = new Key(scope, id, {
    enableKeyRotation: true,
    description,
    // Nothing it encrypts outlives the stack (topics keep no messages): deleted with it, after a week.
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      ...(conditions ? { conditions } : {}),
    }),
  );
  return key;
}

/**
 * Errors and throttles per function, revocation lateness, missed schedules, failed emails: all to
 * one encrypted topic.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const key = topicKey(this, 'TopicKey', 'Encrypts the alarm topic', 'cloudwatch.amazonaws.com');
    this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const add = (alarm: Alarm) => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };
    const period = Duration.minutes(5);
    for (const [name, fn] of Object.entries(props.functions)) {
      add(alarmOn(this, `${name}Errors`, `${name}: function errors`, fn.fn.metricErrors({ period })));
      add(
        alarmOn(
          this,
          `${name}Throttles`,
          `${name}: throttled invocations`,
          fn.fn.metricThrottles({ period }),
        ),
      );
    }
    add(
      alarmOn(
        this,
        'RevocationLateness',
        'Grants end more than 90 s after their deadline (p99): the schedules run late',
        publishedMetric(props.namespace, 'RevocationLatenessMs', 'p99'),
        { above: 90_000 },
      ),
    );
    /** Any occurrence within 5 minutes of a count our functions publish. */
    const anyOf = (id: string, metricName: string, alarmDescription: string) =>
      add(alarmOn(this, id, alarmDescription, publishedMetric(props.namespace, metricName)));
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
