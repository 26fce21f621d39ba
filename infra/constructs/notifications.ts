import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFIER_RECORDS_FILTERS } from '../../functions/adapters/dynamodb/stream.ts';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { alarmOn, publishedMetric } from './alarms.ts';
import type { AppFunction } from './function.ts';
import { streamConsumer } from './stream-failures.ts';

export interface NotificationsProps {
  table: ITable;
  environment: Record<string, string>;
  /** Sender address of every email. */
  mailFrom: string;
  /** What the notifier may send (infra/constructs/mail.ts). */
  sendStatement: PolicyStatement;
  /** The console's public URL: emailed one-click links point at its `/act#<token>` page. */
  consoleUrl: string;
  /** The stage's metrics namespace, where the notifier counts held-back mail. */
  metricsNamespace: string;
  /** The vendor's name in every mail's header; the notifier's default when not given. */
  mailBrandName?: string | undefined;
}

/**
 * Stream retries of one batch. Each retry of a batch the mail quota holds back lasts the
 * notifier's pacing budget (30 s) at least, so these outlast the stream's 24 hours: a throttled
 * batch waits, it never runs out of retries into the on-failure queue.
 */
export const NOTIFIER_RETRY_ATTEMPTS = 10_000;

/** The outbox reader: stream → notifier → SES, paced to the account's sending quota, with an on-failure queue. */
export class Notifications extends Construct {
  readonly notifier: AppFunction;
  readonly failures: Queue;
  /** Stream batches the notifier gave up on: their contacts may not have been told. */
  readonly failuresAlarm: Alarm;
  /** The day's sending quota is used up: emails are held back until it frees up or is raised. */
  readonly throttledAlarm: Alarm;
  /** The notifier is far behind the stream: emails wait (the quota, or a record that keeps failing). */
  readonly backlogAlarm: Alarm;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const notifier = streamConsumer(this, 'Notifier', {
      background: BACKGROUND_FUNCTIONS.notify,
      environment: {
        ...props.environment,
        MAIL_FROM: props.mailFrom,
        CONSOLE_URL: props.consoleUrl,
        ...(props.mailBrandName ? { MAIL_BRAND_NAME: props.mailBrandName } : {}),
      },
      table: props.table,
      failureAlarm:
        'The notifier gave up on stream records (on-failure queue): contacts may not have been emailed',
      timeout: Duration.seconds(60),
    });
    this.notifier = notifier.fn;
    this.failures = notifier.failures;
    this.failuresAlarm = notifier.failuresAlarm;
    this.notifier.fn.addToRolePolicy(props.sendStatement);
    // The account's quota paces the sends; GetSendQuota has no resource-level permissions ("*").
    this.notifier.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['ses:GetSendQuota'], resources: ['*'] }),
    );
    if (this.notifier.fn.role)
      Validations.of(this.notifier.fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ses:GetSendQuota (the account quota the notifier paces to) has no resource-level permissions, nor have X-Ray tracing and dynamodb:ListStreams: they take "*".',
      });
    this.throttledAlarm = alarmOn(
      this,
      'ThrottledAlarm',
      "The day's SES sending quota is used up: emails are held back (not lost) until it frees up; ask AWS to raise it",
      publishedMetric(props.metricsNamespace, 'NotificationsThrottled'),
    );
    this.backlogAlarm = alarmOn(
      this,
      'BacklogAlarm',
      'The notifier is more than 15 minutes behind the stream: emails wait (sending quota, or a record that keeps failing); after 24 h records leave the stream for the on-failure queue',
      this.notifier.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
      { above: 15 * 60_000 },
    );
    this.notifier.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: NOTIFIER_RETRY_ATTEMPTS,
        maxRecordAge: Duration.hours(24),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failures),
        // The same filters the local stream poller applies.
        filters: NOTIFIER_RECORDS_FILTERS.map((filter) => FilterCriteria.filter(filter)),
      }),
    );
  }
}
