import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFIER_RECORDS_FILTERS } from '../../functions/adapters/dynamodb/stream.ts';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { AppFunction } from './function.ts';
import { grantNeeds } from './grants-access.ts';
import { streamFailures } from './stream-failures.ts';

export interface NotificationsProps {
  table: ITable;
  environment: Record<string, string>;
  /** Sender address; its domain (or the address itself) becomes the SES identity. */
  mailFrom: string;
  /** Verify the whole domain instead of the single address. */
  mailDomain?: string | undefined;
  /** The console's public URL: emailed one-click links point at its `/act/{token}` page. */
  consoleUrl: string;
  /** The vendor's name in every mail's header; the notifier's default when not given. */
  mailBrandName?: string | undefined;
}

/** The outbox reader: stream → notifier → SES, with bounded retries and an on-failure queue. */
export class Notifications extends Construct {
  readonly notifier: AppFunction;
  readonly failures: Queue;
  /** Stream batches the notifier gave up on: their contacts may not have been told. */
  readonly failuresAlarm: Alarm;
  readonly identity: EmailIdentity;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.identity = new EmailIdentity(this, 'Sender', {
      identity: props.mailDomain ? Identity.domain(props.mailDomain) : Identity.email(props.mailFrom),
    });
    const failures = streamFailures(
      this,
      'The notifier gave up on stream records (on-failure queue): contacts may not have been emailed',
    );
    this.failures = failures.queue;
    this.failuresAlarm = failures.alarm;
    this.notifier = new AppFunction(this, 'Notifier', {
      ...BACKGROUND_FUNCTIONS.notify,
      environment: {
        ...props.environment,
        MAIL_FROM: props.mailFrom,
        CONSOLE_URL: props.consoleUrl,
        ...(props.mailBrandName ? { MAIL_BRAND_NAME: props.mailBrandName } : {}),
      },
      timeout: Duration.seconds(60),
    });
    grantNeeds(this.notifier.fn, BACKGROUND_FUNCTIONS.notify.needs, props.table);
    this.notifier.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['ses:SendEmail'], resources: [this.identity.emailIdentityArn] }),
    );
    this.notifier.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failures),
        // The same filters the local stream poller applies.
        filters: NOTIFIER_RECORDS_FILTERS.map((filter) => FilterCriteria.filter(filter)),
      }),
    );
  }
}
