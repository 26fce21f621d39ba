import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { routes, routeTable } from '../../functions/http/routes.ts';
import type { FunctionNeeds } from '../../functions/needs.ts';
import { CHAIN_EVENT_SOURCE, CHAIN_SETTLE_MS } from '../../functions/use-cases/audit.ts';
import { buildApp } from '../../infra/app.ts';
import {
  ACT_PAGE_FUNCTION,
  consoleCsp,
  consoleMetaCsp,
  indexWithCsp,
} from '../../infra/constructs/console.ts';
import type { SupportAccessStack } from '../../infra/stack.ts';
import { buildConsoleIfStale } from '../../local/console.ts';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

/** An app as `cdk synth` builds it, minus bundling (which the synth script covers). */
function testApp(context: Record<string, unknown> = {}) {
  return buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', ...context } }));
}

let stack: SupportAccessStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  await buildConsoleIfStale();
  const built = testApp({ stage: 'test', mailFrom: 'support@vendor.example' });
  stack = built.stack;
  built.app.synth(); // runs cdk-nag: throws on any unacknowledged finding
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 60_000);

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** All IAM statements attached to a function's role. */
function statementsOf(fnRoleLogicalId: string): any[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === fnRoleLogicalId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

/** The console's origin in the template: the distribution's own domain. */
const consoleOrigin = () => ({
  'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.console.distribution), 'DomainName'] }]],
});

function roleOf(functionLogicalId: string): string {
  return (resources[functionLogicalId] as Resource).Properties.Role['Fn::GetAtt'][0];
}

function actions(statements: any[], prefix: string): string[] {
  return statements
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .filter((a: string) => a.startsWith(prefix))
    .map((a: string) => a.slice(prefix.length))
    .sort();
}

describe('the CDK stack', () => {
  it('is cdk-nag clean, and an unacknowledged finding fails synth', () => {
    const { app, stack: other } = testApp({ stage: 'nag' });
    new Queue(other, 'Unencrypted', { encryption: undefined });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('runs every function on Node 24, arm64, with its own role and an explicit log group', () => {
    // Ours: all but CDK's own console-upload function.
    const functions = Object.entries(resources)
      .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, r]) => r);
    // Every route, every background function, and the deploy-time check of the shard count.
    expect(functions).toHaveLength(routes.length + Object.keys(BACKGROUND_FUNCTIONS).length + 1);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    const roles = new Set(functions.map((f) => f.Properties.Role['Fn::GetAtt'][0]));
    expect(roles.size).toBe(functions.length);
  });

  it('gives each function exactly the table and schedule actions it needs, and never a "*" action', () => {
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] });
    const check = (functionLogicalId: string, needs: FunctionNeeds) => {
      let statements = statementsOf(roleOf(functionLogicalId));
      const onTable = statements.filter((s) => JSON.stringify(s.Resource) === tableArn);
      expect(actions(onTable, 'dynamodb:')).toEqual([...needs.table].sort());
      const onIndex = statements.filter((s) =>
        JSON.stringify(s.Resource).includes('/index/activeByDeadline'),
      );
      expect(actions(onIndex, 'dynamodb:')).toEqual(needs.index ? ['Query'] : []);
      // Anything else on DynamoDB is the stream read of the notifier's event source.
      const elsewhere = statements.filter((s) => !onTable.includes(s) && !onIndex.includes(s));
      for (const action of actions(elsewhere, 'dynamodb:')) {
        expect(['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams']).toContain(action);
      }
      // The webhook retry driver's wake-ups: their own group and role (test/infra/webhooks.test.ts).
      const wakeGroup = JSON.stringify({ Ref: stack.getLogicalId(stack.webhooks.wakeUpGroup) });
      const wakeRole = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.webhooks.wakeUpRole), 'Arn'] });
      const wakeUps = statements.filter((s) =>
        [wakeGroup, wakeRole].some((ref) => JSON.stringify(s.Resource).includes(ref)),
      );
      expect(wakeUps.flatMap((s) => [s.Action].flat()).sort()).toEqual(
        needs.wakesRetries ? ['iam:PassRole', 'scheduler:CreateSchedule'] : [],
      );
      statements = statements.filter((s) => !wakeUps.includes(s));
      expect(actions(statements, 'scheduler:')).toEqual([...(needs.schedules ?? [])].sort());
      for (const statement of statements) {
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/(^\*$|:\*$)/);
        expect(statement.Effect).toBe('Allow');
      }
      const passRole = statements.filter((s) => s.Action === 'iam:PassRole');
      if (needs.schedules?.some((a) => a !== 'DeleteSchedule')) {
        expect(passRole).toEqual([
          expect.objectContaining({
            Resource: { 'Fn::GetAtt': [logicalId(stack.expiry.schedulerRole), 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        ]);
      } else {
        expect(passRole).toEqual([]);
      }
      const scheduleStatements = statements.filter((s) =>
        [s.Action].flat().some((a: string) => a.startsWith('scheduler:')),
      );
      const group = JSON.stringify({ Ref: stack.getLogicalId(stack.expiry.scheduleGroup) });
      for (const s of scheduleStatements)
        expect(JSON.stringify(s.Resource)).toContain(`:schedule/",${group},"/grant-*`);
    };
    for (const route of routeTable)
      check(logicalId(stack.api.functions[route.name]?.fn as never), route.needs);
    check(logicalId(stack.expiry.expiryFunction.fn), BACKGROUND_FUNCTIONS.expireGrant.needs);
    check(logicalId(stack.expiry.sweepFunction.fn), BACKGROUND_FUNCTIONS.sweep.needs);
    check(logicalId(stack.notifications.notifier.fn), BACKGROUND_FUNCTIONS.notify.needs);
    check(logicalId(stack.auditChain.chainer.fn), BACKGROUND_FUNCTIONS.chainAudit.needs);
    check(logicalId(stack.webhooks.sender.fn), BACKGROUND_FUNCTIONS.deliverWebhooks.needs);
    check(logicalId(stack.webhooks.retrier.fn), BACKGROUND_FUNCTIONS.retryWebhooks.needs);
    // Spelled out for the routes where a slip would matter most.
    const tableActions = (name: string) =>
      actions(statementsOf(roleOf(logicalId(stack.api.functions[name]?.fn as never))), 'dynamodb:');
    expect(tableActions('getGrant')).toEqual(['GetItem']);
    expect(tableActions('listAudit')).toEqual(['Query']);
    expect(tableActions('checkAccess')).toEqual(['UpdateItem']);
    expect(tableActions('health')).toEqual([]);
    expect(
      actions(statementsOf(roleOf(logicalId(stack.api.functions.checkAccess?.fn as never))), 'scheduler:'),
    ).toEqual([]);
    const notifier = statementsOf(roleOf(logicalId(stack.notifications.notifier.fn)));
    expect(notifier.find((s) => s.Action === 'ses:SendEmail')?.Condition).toEqual({
      StringEquals: { 'ses:FromAddress': 'support@vendor.example' },
    });
  });

  it('lets only scheduler.amazonaws.com of this account assume the scheduler role, to invoke only the expiry function', () => {
    const role = resources[logicalId(stack.expiry.schedulerRole)] as Resource;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: {
            'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(stack.expiry.scheduleGroup), 'Arn'] },
          },
        },
      },
    ]);
    const statements = statementsOf(logicalId(stack.expiry.schedulerRole));
    expect(statements.filter((s) => s.Action === 'lambda:InvokeFunction')).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [logicalId(stack.expiry.expiryFunction.fn), 'Arn'] },
      }),
    ]);
    expect(statements.map((s) => s.Action).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
  });

  it('has an encrypted, SSL-only dead-letter queue with an alarm on any message', () => {
    const dlq = logicalId(stack.expiry.deadLetterQueue);
    expect((resources[dlq] as Resource).Properties.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlq }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when mail fails: the notifier gave up on stream records, or emails failed for good', () => {
    const topic = { Ref: logicalId(stack.alarms.topic) };
    const failures = logicalId(stack.notifications.failures);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failures, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [topic],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SupportAccess/test',
      MetricName: 'NotificationsFailed',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
  });

  it("lets the notifier read the sending quota, and alarms when the day's quota holds mail back or mail waits long", () => {
    const topic = { Ref: logicalId(stack.alarms.topic) };
    const notifier = statementsOf(roleOf(logicalId(stack.notifications.notifier.fn)));
    expect(notifier.find((s) => s.Action === 'ses:GetSendQuota')?.Resource).toBe('*');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SupportAccess/test',
      MetricName: 'NotificationsThrottled',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.notifications.notifier.fn) } }],
      Threshold: 900_000,
      AlarmActions: [topic],
    });
  });

  it('keeps the table: PITR, deletion protection, retained, stream with new and old images, TTL, one GSI', () => {
    const table = resources[logicalId(stack.data.table)] as Resource;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      GlobalSecondaryIndexes: [expect.objectContaining({ IndexName: 'activeByDeadline' })],
    });
  });

  it('puts the JWT authorizer on every route but /health, the published schemas and the emailed links', () => {
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    expect(Object.values(authorizers).map((a: any) => a.Properties.AuthorizerType)).toEqual(['JWT']);
    const routeResources = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(routeResources).toHaveLength(routes.length);
    for (const route of routeResources) {
      const key = route.Properties.RouteKey as string;
      const open = ['GET /health', 'GET /openapi.json', 'GET /events.schema.json'];
      if ([...open, 'GET /actions/{token}', 'POST /actions/{token}'].includes(key))
        expect(route.Properties.AuthorizationType).toBe('NONE');
      else
        expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: [consoleOrigin()] }),
    });
    // The access log names the route, never the path: an emailed link's token is in its path.
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource;
    const format = (stage.Properties.AccessLogSettings as { Format: string }).Format;
    expect(JSON.parse(format)).toMatchObject({ routeKey: '$context.routeKey', status: '$context.status' });
    expect(format).not.toMatch(/\$context\.(path|resourcePath)/);
  });

  it("gives the link function, and only it, what the authorizer checks: the pool's issuer, client and key set", () => {
    const variables = (name: string) =>
      (resources[logicalId(stack.api.functions[name]?.fn as never)] as Resource).Properties.Environment
        .Variables;
    const authorizer = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0] as Resource;
    const { Issuer, Audience } = authorizer.Properties.JwtConfiguration;
    const link = variables('useActionLink');
    expect(link.JWT_ISSUER).toEqual(Issuer);
    expect(Audience).toHaveLength(1);
    expect(link.JWT_AUDIENCE).toEqual(Audience[0]);
    expect(JSON.stringify(link.JWT_JWKS_URL)).toContain('/.well-known/jwks.json');
    for (const name of Object.keys(stack.api.functions).filter((n) => n !== 'useActionLink'))
      expect(variables(name), name).not.toHaveProperty('JWT_ISSUER');
  });

  it('spreads the active-grant index over the shards it is given, and refuses a count it cannot hold', () => {
    const sharded = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', activeIndexShards: '8' } }),
    );
    const tableFunctions = Object.values(
      Template.fromStack(sharded.stack).toJSON().Resources as Record<string, Resource>,
    ).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.TABLE_NAME,
    );
    expect(tableFunctions.length).toBeGreaterThan(10);
    for (const f of tableFunctions)
      expect(
        (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables.ACTIVE_INDEX_SHARDS,
      ).toBe('8');
    expect(() =>
      buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', activeIndexShards: '0' } })),
    ).toThrow(/ACTIVE_INDEX_SHARDS/);
  });

  it('points emailed links at the console and tells every function the reminder lead', () => {
    const functions = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    ) as Resource[];
    const env = (f: Resource) =>
      (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const notifier = functions.find((f) =>
      String(f.Properties.Description).startsWith('Emails every contact'),
    );
    expect(env(notifier as Resource)).toMatchObject({ CONSOLE_URL: consoleOrigin() });
    const withReminder = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', reminderBeforeSeconds: '3600' } }),
    );
    const tableFunctions = Object.values(
      Template.fromStack(withReminder.stack).toJSON().Resources as Record<string, Resource>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && env(r).TABLE_NAME);
    expect(tableFunctions.length).toBeGreaterThan(10);
    for (const f of tableFunctions) expect(env(f).REMINDER_BEFORE_SECONDS).toBe('3600');
  });

  it('lets every table function read the generated cursor key at run time; no environment holds it', () => {
    const secrets = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const [secretId, secret] = secrets[0] as [string, Resource];
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const withTable = functions.filter((f) => f.Properties.Environment?.Variables?.TABLE_NAME);
    expect(withTable.length).toBeGreaterThan(10);
    for (const fn of functions) {
      const variables = JSON.stringify(fn.Properties.Environment?.Variables ?? {});
      expect(variables).not.toContain('{{resolve:');
      expect(variables).not.toContain('CURSOR_KEY"');
    }
    for (const fn of withTable) {
      expect(fn.Properties.Environment.Variables.CURSOR_KEY_SECRET_ARN).toEqual({ Ref: secretId });
      // The Parameters and Secrets extension the key is read through.
      expect(JSON.stringify(fn.Properties.Layers)).toMatch(/Paramsandsecrets.*arm64/);
      const reads = statementsOf(fn.Properties.Role['Fn::GetAtt'][0]).filter((st) =>
        [st.Action].flat().includes('secretsmanager:GetSecretValue'),
      );
      expect(reads.map((st) => st.Resource)).toEqual([{ Ref: secretId }]);
    }
  });

  it("gives the console its real sign-in: the hosted UI's authorize and token URLs and the client id", async () => {
    const { app, stack: withUi } = testApp({ stage: 'ui', authDomainPrefix: 'vendor-support-ui' });
    const assembly = app.synth();
    const auth = withUi.resolve(withUi.api.consoleAuth);
    // The hosted UI's URL, spelled from its prefix.
    const domain = 'https://vendor-support-ui.auth.';
    const client = withUi.getLogicalId(withUi.api.consoleClient?.node.defaultChild as never);
    expect(JSON.stringify(auth.authorizeUrl)).toContain(domain);
    expect(JSON.stringify(auth.authorizeUrl)).toContain('/oauth2/authorize');
    expect(JSON.stringify(auth.tokenUrl)).toContain('/oauth2/token');
    expect(auth.clientId).toEqual({ Ref: client });
    // The uploaded config.json says "oidc" and carries those values (as deploy-time markers).
    const deployment = Object.values(
      Template.fromStack(withUi).toJSON().Resources as Record<string, Resource>,
    ).find((r) => r.Type === 'Custom::CDKBucketDeployment');
    const markers = JSON.stringify(deployment?.Properties.SourceMarkers);
    expect(markers).toContain(client);
    const configs: string[] = [];
    for (const entry of await readdir(assembly.directory, { withFileTypes: true })) {
      const file = join(assembly.directory, entry.name, 'config.json');
      if (entry.isDirectory() && existsSync(file)) configs.push(await readFile(file, 'utf8'));
    }
    const config = JSON.parse(configs.find((c) => c.includes('oauth2')) ?? '{}');
    expect(config.auth).toMatchObject({ mode: 'oidc', scopes: ['openid', 'email', 'profile'] });
    expect(config.auth.authorizeUrl).toMatch(/\/oauth2\/authorize$/);
    expect(config.auth.authorizeUrl).toContain(domain);
  });

  it('keeps a changed email pending until verified, and the console client cannot write it', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    });
    const [client] = Object.values(resources).filter((r) => r.Type === 'AWS::Cognito::UserPoolClient');
    expect(client?.Properties.WriteAttributes).toEqual([]);
  });

  it('sweeps every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack.expiry.sweepFunction.fn), 'Arn'] } }),
      ],
    });
  });

  it('feeds the notifier from the stream with bisect-on-error, retries that outlast the stream, an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.notifications.notifier.fn) },
      BisectBatchOnFunctionError: true,
      // A batch the mail quota holds back waits at least 30 s per retry: 10 000 outlast 24 hours.
      MaximumRetryAttempts: 10_000,
      MaximumRecordAgeInSeconds: 86_400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.notifications.failures), 'Arn'] } },
      },
      // The events it mails about as written, and the ends of grants once the chain sealed them;
      // never access-item writes (a flood of checks must not delay mail).
      FilterCriteria: {
        Filters: [
          Match.objectLike({ Pattern: Match.stringLikeRegexp('"INSERT".*grant.created') }),
          Match.objectLike({ Pattern: Match.stringLikeRegexp('"MODIFY".*grant.expired') }),
        ],
      },
    });
    const notifierFilters = JSON.stringify(
      Object.values(resources).find(
        (r) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' &&
          JSON.stringify(r.Properties.FunctionName).includes(logicalId(stack.notifications.notifier.fn)),
      )?.Properties.FilterCriteria,
    );
    expect(notifierFilters).not.toContain('access');
  });

  it('records access checks in a consumer of their own, retried for as long as the stream keeps them', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.auditChain.recorder.fn) },
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10_000,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.auditChain.recorderFailures), 'Arn'] } },
      },
      FilterCriteria: { Filters: [Match.objectLike({ Pattern: Match.stringLikeRegexp('"access"') })] },
    });
    // A gap in a tenant's recorded checks (a batch the stream gave up on) raises an alarm.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AccessCheckGaps',
      Namespace: 'SupportAccess/test',
    });
  });

  it('lets the chainer’s event source gather records for the settle time (the local poller’s window too), with its notes and the check marks', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.auditChain.chainer.fn) },
      BatchSize: CHAIN_EVENT_SOURCE.batchSize,
      MaximumBatchingWindowInSeconds: CHAIN_EVENT_SOURCE.maxBatchingWindowSeconds,
      FilterCriteria: {
        Filters: [
          Match.objectLike({ Pattern: Match.stringLikeRegexp('"event"') }),
          Match.objectLike({ Pattern: Match.stringLikeRegexp('"chain-later"') }),
          Match.objectLike({ Pattern: Match.stringLikeRegexp('"check-mark"') }),
        ],
      },
    });
    expect(CHAIN_EVENT_SOURCE.maxBatchingWindowSeconds * 1000).toBeGreaterThanOrEqual(CHAIN_SETTLE_MS);
  });

  it("limits the console's connections to itself, the API and the identity provider's token endpoint", () => {
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy');
    const csp = JSON.stringify(
      policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy
        .ContentSecurityPolicy,
    );
    // The header bounds connections to the region's API Gateway hosts (it cannot name the API,
    // whose CORS names the distribution); the page's own policy names the one API.
    expect(csp).toContain("connect-src 'self' https://*.execute-api.");
    expect(csp).not.toMatch(/https:[ ;]/);
    const deployment = Object.values(resources).find((r) => r.Type === 'Custom::CDKBucketDeployment');
    expect(JSON.stringify(deployment?.Properties.SourceMarkers)).toContain(logicalId(stack.api.httpApi));
    const auth = {
      authorizeUrl: 'https://login.example/oauth2/authorize',
      tokenUrl: 'https://login.example/oauth2/token',
      clientId: 'c',
      scopes: ['openid'],
    };
    const withIdp = consoleCsp(['https://api.example', auth.tokenUrl]);
    expect(withIdp).toContain("connect-src 'self' https://api.example https://login.example/oauth2/token;");
    expect(withIdp.split('; ').filter((d) => d.startsWith('connect-src'))).toHaveLength(1);
    const meta = consoleMetaCsp({ apiUrl: 'https://api.example', auth });
    expect(meta).toBe("connect-src 'self' https://api.example https://login.example/oauth2/token");
    const page = indexWithCsp(
      '<html><head><meta charset="utf-8" /><script src="/a.js"></script></head></html>',
      meta,
    );
    // First in the head: before any script loads.
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<meta charset'));
  });

  it('hosts the console as private S3 files behind CloudFront with origin access control', () => {
    const bucket = resources[logicalId(stack.console.bucket)] as Resource;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        // The page of an emailed link is the console's: /act (the token in the fragment) and
        // /act/<token> of links mailed before are answered with index.html.
        CacheBehaviors: ['act', 'act/*'].map((PathPattern) =>
          Match.objectLike({
            PathPattern,
            ViewerProtocolPolicy: 'redirect-to-https',
            FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
          }),
        ),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: Match.stringLikeRegexp("request.uri = '/index.html'"),
    });
    // What the function does with the viewer's request: the console's page, for both forms.
    const handler = new Function(`${ACT_PAGE_FUNCTION}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri: string };
    for (const uri of ['/act', '/act/AbC_-123'])
      expect(handler({ request: { uri } }).uri, uri).toBe('/index.html');
  });

  it('refuses to build a real deployment without its sender and sign-in, naming each', () => {
    let message = '';
    try {
      buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'real' } }));
    } catch (error) {
      message = (error as Error).message;
    }
    for (const key of ['mailFrom', 'authDomainPrefix', 'deploy/real.json', 'demo=true'])
      expect(message).toContain(key);
    expect(() =>
      buildApp(
        new App({
          context: {
            'aws:cdk:bundling-stacks': [],
            stage: 'real2',
            mailFrom: 'support@vendor.example',
            consoleOrigin: 'https://console.vendor.example',
            issuer: 'https://login.example.com/',
          },
        }),
      ),
    ).toThrow(/audience: required with issuer/);
    expect(() =>
      buildApp(
        new App({
          context: {
            'aws:cdk:bundling-stacks': [],
            stage: 'real3',
            mailFrom: 'support@vendor.example',
            consoleOrigin: 'https://console.vendor.example',
            issuer: 'https://login.example.com/',
            audience: 'support-access',
            authorizeUrl: 'https://login.example.com/authorize',
            tokenUrl: 'https://login.example.com/token',
          },
        }),
      ),
    ).toThrow(/jwksUrl: the issuer's JSON Web Key Set/);
  });

  it('deploys side by side per stage and takes an existing OIDC issuer from context', () => {
    const { app, stack: other } = testApp({
      stage: 'prod',
      issuer: 'https://login.example.com/',
      audience: 'support-access',
      jwksUrl: 'https://login.example.com/keys',
      rolesClaim: 'groups',
    });
    app.synth();
    expect(other.stackName).toBe('SupportAccess-prod');
    const t = Template.fromStack(other);
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://login.example.com/', Audience: ['support-access'] },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ROLES_CLAIM: 'groups', TENANT_CLAIM: 'tenant_id' }) },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          JWT_ISSUER: 'https://login.example.com/',
          JWT_AUDIENCE: 'support-access',
          JWT_JWKS_URL: 'https://login.example.com/keys',
        }),
      },
    });
    // Named by CloudFormation: nothing a second stage (or a second try) could collide with.
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: Match.absent() });
  });
});
