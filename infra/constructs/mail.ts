import { Aws, CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { type Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { alarmOn, topicKey } from './alarms.ts';

export interface MailProps {
  /** The sender of every email: the only From the notifier may use. */
  mailFrom: string;
  /** Verify the whole domain (DKIM records as outputs) instead of the single address. */
  mailDomain?: string | undefined;
  /**
   * Send through an SES identity that already exists (verified by hand, or created by another
   * stage's stack) instead of creating one: its name (the domain or the address).
   */
  existingIdentity?: string | undefined;
}

/**
 * Sending mail: the SES identity (created, or one that exists), a configuration set whose
 * bounces and complaints reach a topic and an alarm, and the one statement the notifier needs.
 */
export class Mail extends Construct {
  readonly identity?: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** Bounces, complaints, rejects and rendering failures, as SES publishes them. */
  readonly feedback: Topic;
  readonly alarms: Alarm[];
  /**
   * `ses:SendEmail` from `mailFrom` only. On any identity: in the SES sandbox, SES also
   * authorizes the sending call against each recipient's (verified) identity.
   */
  readonly sendStatement: PolicyStatement;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // Addresses that bounced or complained are not mailed again (account-level list).
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const key = topicKey(
      this,
      'FeedbackKey',
      'Encrypts the mail feedback topic (bounced and complaining addresses)',
      'ses.amazonaws.com',
      { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    );
    this.feedback = new Topic(this, 'Feedback', { masterKey: key, enforceSSL: true });
    this.configurationSet.addEventDestination('ToFeedback', {
      destination: EventDestination.snsTopic(this.feedback),
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.RENDERING_FAILURE,
      ],
    });

    if (!props.existingIdentity) {
      this.identity = new EmailIdentity(this, 'Sender', {
        identity: props.mailDomain ? Identity.domain(props.mailDomain) : Identity.email(props.mailFrom),
        // Every email from this identity goes through the configuration set: no code names it.
        configurationSet: this.configurationSet,
      });
      if (props.mailDomain) {
        this.identity.dkimRecords.forEach((record, i) => {
          new CfnOutput(this, `DkimRecord${i + 1}`, {
            value: `${record.name} CNAME ${record.value}`,
            description: `DNS record ${i + 1} of 3 that verifies ${props.mailDomain} (DKIM)`,
          });
        });
      }
    }
    new CfnOutput(this, 'ConfigurationSetName', {
      value: this.configurationSet.configurationSetName,
      description: "The configuration set an existing identity should use by default (docs/deploy.md, 'SES')",
    });
    new CfnOutput(this, 'FeedbackTopicArn', {
      value: this.feedback.topicArn,
      description: 'Bounces and complaints: subscribe whoever keeps the contact addresses right',
    });

    this.sendStatement = new PolicyStatement({
      actions: ['ses:SendEmail'],
      // Pseudo parameters, not the stack's resolved env: the ARN (and its acknowledgement) reads
      // the same in every synth.
      resources: [
        `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`,
        `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${this.configurationSet.configurationSetName}`,
      ],
      conditions: { StringEquals: { 'ses:FromAddress': props.mailFrom } },
    });

    const alarm = (alarmId: string, alarmDescription: string, metric: Metric, atLeast: number) =>
      alarmOn(this, alarmId, alarmDescription, metric, { atLeast });
    this.alarms = [
      alarm(
        'Bounced',
        'An email bounced, was complained about or rejected: a contact may not have been told (see the feedback topic)',
        this.feedback.metricNumberOfMessagesPublished({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
      ),
      // SES reviews an account at 5 % bounces and 0.1 % complaints; these fire before that.
      alarm(
        'BounceRate',
        'The account bounce rate is 4 % or more: SES may pause sending',
        new Metric({
          namespace: 'AWS/SES',
          metricName: 'Reputation.BounceRate',
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        0.04,
      ),
      alarm(
        'ComplaintRate',
        'The account complaint rate is 0.08 % or more: SES may pause sending',
        new Metric({
          namespace: 'AWS/SES',
          metricName: 'Reputation.ComplaintRate',
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        0.0008,
      ),
    ];
  }

  /** Acknowledges, on the role that sends, the one wildcard `sendStatement` needs. */
  static acknowledgeSender(role: IConstruct): void {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      reason:
        'In the SES sandbox every recipient is an identity SES authorizes the call against; the ses:FromAddress condition keeps the sender to mailFrom.',
    });
  }
}
