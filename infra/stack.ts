import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { IndexShards } from '../functions/adapters/dynamodb/shards.ts';
import { environmentOf, inGroups } from '../functions/wiring/settings.ts';
import { Alarms, metricsNamespace } from './constructs/alarms.ts';
import { Api, type ExternalIssuer } from './constructs/api.ts';
import { AuditChain } from './constructs/audit-chain.ts';
import { ConsoleHosting } from './constructs/console.ts';
import { DataStore } from './constructs/data.ts';
import { VendorEventBus } from './constructs/event-bus.ts';
import { Expiry } from './constructs/expiry.ts';
import type { AppFunction } from './constructs/function.ts';
import { Mail } from './constructs/mail.ts';
import { Notifications } from './constructs/notifications.ts';
import { ShardsGuard } from './constructs/shards-guard.ts';
import { CustomerWebhooks } from './constructs/webhooks.ts';

export interface SupportAccessStackProps extends StackProps {
  /** The stage (dev, prod, …): the stack's name and the metrics namespace carry it. */
  stage: string;
  mailFrom: string;
  mailDomain?: string | undefined;
  /** An SES identity that exists already (its domain or address): the stack creates none. */
  existingMailIdentity?: string | undefined;
  /** The console's own domain with its certificate (ACM, us-east-1); none: the distribution's domain. */
  consoleDomain?: { name: string; certificateArn: string } | undefined;
  /**
   * Where the console is served when that is not this stack's distribution (the local runtime):
   * CORS origin, sign-in callback and emailed links follow it.
   */
  consoleOrigin?: string | undefined;
  /** Default: `<console origin>/`. */
  consoleCallbackUrls?: string[] | undefined;
  issuer?: ExternalIssuer | undefined;
  authDomainPrefix?: string | undefined;
  alarmEmail?: string | undefined;
  /**
   * The stage's values of the settings table (functions/wiring/settings.ts) by key, as given:
   * each function gets those of the sections it reads.
   */
  settings?: Record<string, string> | undefined;
  /**
   * Index partitions the active-grant and reminder lists are spread over (1–32, default 1): for
   * more than about 1 000 grant changes a second. Raise only; lowering hides the dropped shards.
   */
  activeIndexShards?: number | undefined;
  /** Where emailed one-click links point (`<consoleUrl>/act#<token>`); default the console's origin. */
  consoleUrl?: string | undefined;
  /** The vendor's name in every mail's header. */
  mailBrandName?: string | undefined;
  /** API stage throttling (apiRateLimit, apiBurstLimit). */
  throttle: { rateLimit: number; burstLimit: number };
  /** Each unauthenticated route's own limit (publicRateLimit, publicBurstLimit). */
  publicThrottle: { rateLimit: number; burstLimit: number };
  /** Other accounts of the vendor that may put their own rules on the event bus. */
  eventBusRuleAccounts?: string[] | undefined;
}

/** The whole product in one stack: data, expiry, notifications, API, alarms. No hard-coded names. */
export class SupportAccessStack extends Stack {
  readonly data: DataStore;
  readonly expiry: Expiry;
  readonly notifications: Notifications;
  readonly mail: Mail;
  /** The console's origin: CORS, sign-in callbacks and emailed links all name it. */
  readonly consoleOrigin: string;
  readonly auditChain: AuditChain;
  readonly eventBus: VendorEventBus;
  readonly webhooks: CustomerWebhooks;
  readonly api: Api;
  readonly alarms: Alarms;
  readonly console: ConsoleHosting;
  readonly shardsGuard: ShardsGuard;

  constructor(scope: Construct, id: string, props: SupportAccessStackProps) {
    super(scope, id, props);
    // Checked here too, so a bad value fails the synth instead of every function's cold start.
    if (props.activeIndexShards !== undefined) new IndexShards(props.activeIndexShards);
    this.data = new DataStore(this, 'Data');
    this.console = new ConsoleHosting(this, 'Console', { domain: props.consoleDomain });
    this.consoleOrigin = props.consoleOrigin ?? this.console.origin;
    const consoleUrl = props.consoleUrl ?? this.consoleOrigin;
    const environment: Record<string, string> = {
      TABLE_NAME: this.data.table.tableName,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(props.stage),
      ...this.data.cursorKeyEnvironment,
      ...environmentOf(props.settings ?? {}, inGroups('table', 'policy')),
    };
    this.expiry = new Expiry(this, 'Expiry', { table: this.data.table, environment });
    this.mail = new Mail(this, 'Mail', {
      mailFrom: props.mailFrom,
      mailDomain: props.mailDomain,
      existingIdentity: props.existingMailIdentity,
    });
    this.notifications = new Notifications(this, 'Notifications', {
      table: this.data.table,
      environment,
      mailFrom: props.mailFrom,
      sendStatement: this.mail.sendStatement,
      consoleUrl,
      metricsNamespace: metricsNamespace(props.stage),
      mailBrandName: props.mailBrandName,
    });
    this.auditChain = new AuditChain(this, 'AuditChain', {
      table: this.data.table,
      environment,
      metricsNamespace: metricsNamespace(props.stage),
    });
    this.eventBus = new VendorEventBus(this, 'Events', {
      stage: props.stage,
      table: this.data.table,
      // It reads no table and signs no cursor: the stream hands it the events.
      environment: { POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(props.stage) },
      ruleAccounts: props.eventBusRuleAccounts,
    });
    this.webhooks = new CustomerWebhooks(this, 'Webhooks', { table: this.data.table, environment });
    this.api = new Api(this, 'Api', {
      table: this.data.table,
      environment,
      schedulerEnvironment: this.expiry.schedulerEnvironment,
      scheduleAccess: this.expiry.scheduleAccess,
      retryWakeUps: this.webhooks.wakeUps,
      consoleOrigin: this.consoleOrigin,
      consoleCallbackUrls: props.consoleCallbackUrls ?? [`${this.consoleOrigin}/`],
      consoleUrl,
      issuer: props.issuer,
      authDomainPrefix: props.authDomainPrefix,
      throttle: props.throttle,
      publicThrottle: props.publicThrottle,
    });
    this.data.grantCursorKey(this.tableFunctions());
    this.shardsGuard = new ShardsGuard(this, 'ShardsGuard', { shards: props.activeIndexShards ?? 1 });
    this.shardsGuard.guard(this.tableFunctions().map((f) => f.fn));
    this.console.publish({
      apiUrl: this.api.httpApi.apiEndpoint,
      auth: this.api.consoleAuth,
      claims: this.api.claimNames,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      namespace: metricsNamespace(props.stage),
      functions: {
        ...Object.fromEntries(Object.entries(this.api.functions)),
        expireGrant: this.expiry.expiryFunction,
        sweep: this.expiry.sweepFunction,
        notifier: this.notifications.notifier,
        chainAudit: this.auditChain.chainer,
        recordChecks: this.auditChain.recorder,
        publishEvents: this.eventBus.publisher,
        deliverWebhooks: this.webhooks.sender,
        retryWebhooks: this.webhooks.retrier,
      },
      extraAlarms: [
        this.expiry.deadLetterAlarm,
        this.notifications.failuresAlarm,
        this.notifications.throttledAlarm,
        this.notifications.backlogAlarm,
        this.auditChain.failuresAlarm,
        this.auditChain.stuckAlarm,
        this.auditChain.recorderFailuresAlarm,
        this.auditChain.checkGapAlarm,
        this.auditChain.recorderBehindAlarm,
        this.eventBus.failuresAlarm,
        this.eventBus.behindAlarm,
        this.webhooks.failuresAlarm,
        this.webhooks.behindAlarm,
        ...this.mail.alarms,
      ],
      alarmEmail: props.alarmEmail,
    });
    this.acknowledgeFindings();
  }

  /** Every function that reads the table (and so signs or checks list cursors). */
  private tableFunctions(): AppFunction[] {
    return [
      ...Object.values(this.api.functions),
      this.expiry.expiryFunction,
      this.expiry.sweepFunction,
      this.notifications.notifier,
      this.auditChain.chainer,
      this.auditChain.recorder,
      this.webhooks.sender,
      this.webhooks.retrier,
    ];
  }

  /** Every cdk-nag finding we accept, with its reason. */
  private acknowledgeFindings(): void {
    const ack = (scope: Construct, id: string, reason: string) =>
      Validations.of(scope).acknowledge({ id, reason });
    ack(
      this.expiry.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the expiry schedules.',
    );
    ack(
      this.notifications.failures,
      'AwsSolutions-SQS3',
      "This queue is itself the on-failure destination of the notifier's stream.",
    );
    ack(
      this.auditChain.failures,
      'AwsSolutions-SQS3',
      "This queue is itself the on-failure destination of the audit chainer's stream.",
    );
    ack(
      this.auditChain.recorderFailures,
      'AwsSolutions-SQS3',
      "This queue is itself the on-failure destination of the check recorder's stream.",
    );
    ack(
      this.eventBus.failures,
      'AwsSolutions-SQS3',
      "This queue is itself the on-failure destination of the event publisher's stream.",
    );
    ack(
      this.webhooks.failures,
      'AwsSolutions-SQS3',
      "This queue is itself the on-failure destination of the webhook sender's stream.",
    );
    ack(
      this,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Only the console upload (CDK BucketDeployment custom resource, a deploy-time function) uses the logs-only basic execution policy.',
    );
    ack(
      this,
      'AwsSolutions-L1',
      'The only function not on our runtime choice is the CDK BucketDeployment custom resource, whose runtime CDK manages.',
    );
    ack(
      this.api,
      'AwsSolutions-APIG4',
      'GET /health, GET /openapi.json, GET /events.schema.json and the emailed links (GET/POST /actions/{token}, the token is the credential) are public by contract (docs/api.md); every other route has the JWT authorizer.',
    );
    if (this.notifications.notifier.fn.role) Mail.acknowledgeSender(this.notifications.notifier.fn.role);
    if (this.api.userPool) {
      ack(
        this.api.userPool,
        'AwsSolutions-COG8',
        'The Plus feature plan (threat protection) is a cost decision left to the deploying team; MFA is required for every user.',
      );
    }
  }
}
