import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../functions/http/routes.ts';
import { buildApp } from '../../infra/app.ts';
import type { SupportAccessStack } from '../../infra/stack.ts';
import { buildConsoleIfStale } from '../../local/console.ts';
import { ACCOUNT, allowed, REGION, type Resources, resolve, trustAllows } from '../support/iam.ts';

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  DependsOn?: string[];
};

/** A real deployment's settings, as docs/deploy.md has a new engineer write them (no demo). */
const FIRST = {
  mailFrom: 'support-access@vendor.example',
  authDomainPrefix: 'vendor-support-access-first',
  alarmEmail: 'oncall@vendor.example',
};

let settingsDir: string;
beforeAll(async () => {
  await buildConsoleIfStale();
  settingsDir = await mkdtemp(join(tmpdir(), 'deploy-settings-'));
}, 120_000);
afterAll(() => rm(settingsDir, { recursive: true, force: true }));

/** Synthesizes a stage from `deploy/<stage>.json` (written here) and `-c` context, as `cdk synth` does. */
async function synth(
  stage: string,
  settings: Record<string, unknown>,
  context: Record<string, unknown> = {},
) {
  await writeFile(join(settingsDir, `${stage}.json`), JSON.stringify(settings));
  const { app, stack } = buildApp(
    new App({ context: { 'aws:cdk:bundling-stacks': [], stage, ...context } }),
    settingsDir,
  );
  app.synth(); // cdk-nag: any unacknowledged finding throws
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Record<string, Resource> };
}

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (resources: Record<string, Resource>, type: string) => {
  const found = ofType(resources, type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Resource];
};
const notifierEnv = (stack: SupportAccessStack, resources: Record<string, Resource>) =>
  (resources[stack.getLogicalId(stack.notifications.notifier.fn.node.defaultChild as never)] as Resource)
    .Properties.Environment.Variables;

describe('a first deploy that follows docs/deploy.md', () => {
  it("serves the console from the distribution's own domain: CORS, sign-in callbacks, emailed links and the output agree", async () => {
    const { stack, resources, template } = await synth('first', FIRST);
    const [distribution] = only(resources, 'AWS::CloudFront::Distribution');
    const origin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] };
    const [, api] = only(resources, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual([origin]);
    const [, client] = only(resources, 'AWS::Cognito::UserPoolClient');
    const callback = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/']] };
    expect(client.Properties.CallbackURLs).toEqual([callback]);
    expect(client.Properties.LogoutURLs).toEqual([callback]);
    expect(notifierEnv(stack, resources).CONSOLE_URL).toEqual(origin);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const consoleUrl = Object.entries(outputs).find(([id]) => id.includes('ConsoleUrl'));
    expect(consoleUrl?.[1].Value).toEqual(origin);
    // The invitation `npm run create-user` has Cognito send names the console too.
    const invite = JSON.stringify(
      only(resources, 'AWS::Cognito::UserPool')[1].Properties.AdminCreateUserConfig.InviteMessageTemplate,
    );
    expect(invite).toContain(JSON.stringify({ 'Fn::GetAtt': [distribution, 'DomainName'] }));
    expect(invite).toContain('{####}');
    expect(invite).toContain('{username}');
    // No alternate domain to mismatch: the distribution answers on its own name.
    expect(JSON.stringify(resources[distribution]?.Properties.DistributionConfig.Aliases)).toBeUndefined();
  }, 60_000);

  it('serves the console from its own domain with a us-east-1 certificate, and everything names that domain', async () => {
    const certificateArn =
      'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';
    const { stack, resources, template } = await synth('custom', {
      ...FIRST,
      consoleDomain: 'support-access.vendor.example',
      consoleCertificateArn: certificateArn,
    });
    const origin = 'https://support-access.vendor.example';
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['support-access.vendor.example'],
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: certificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        }),
      }),
    });
    expect(only(resources, 'AWS::ApiGatewayV2::Api')[1].Properties.CorsConfiguration.AllowOrigins).toEqual([
      origin,
    ]);
    expect(only(resources, 'AWS::Cognito::UserPoolClient')[1].Properties.CallbackURLs).toEqual([
      `${origin}/`,
    ]);
    expect(notifierEnv(stack, resources).CONSOLE_URL).toBe(origin);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.entries(outputs).find(([id]) => id.includes('ConsoleUrl'))?.[1].Value).toBe(origin);
  }, 60_000);

  it('refuses a console domain without its certificate, or with a certificate outside us-east-1', async () => {
    await expect(synth('nocert', { ...FIRST, consoleDomain: 'a.vendor.example' })).rejects.toThrow(
      /consoleDomain and consoleCertificateArn go together/,
    );
    await expect(
      synth('eucert', {
        ...FIRST,
        consoleDomain: 'a.vendor.example',
        consoleCertificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/x',
      }),
    ).rejects.toThrow(/us-east-1/);
  });
});

describe("the guide's own example (deploy/example.json)", () => {
  it('synthesizes from the settings file alone (as deploy and destroy do), and its console, sign-in, CORS and mails agree', () => {
    const { app, stack } = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'example' } }),
    );
    app.synth();
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    const [distribution] = only(resources, 'AWS::CloudFront::Distribution');
    const origin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] };
    expect(only(resources, 'AWS::ApiGatewayV2::Api')[1].Properties.CorsConfiguration.AllowOrigins).toEqual([
      origin,
    ]);
    expect(
      JSON.stringify(only(resources, 'AWS::Cognito::UserPoolClient')[1].Properties.CallbackURLs),
    ).toContain(JSON.stringify({ 'Fn::GetAtt': [distribution, 'DomainName'] }));
    expect(notifierEnv(stack, resources).CONSOLE_URL).toEqual(origin);
    expect(notifierEnv(stack, resources).MAIL_FROM).toBe('support-access@vendor.example');
  }, 60_000);
});

describe('the Scheduler can assume its role, from our schedule group only', () => {
  it('evaluates the trust policy as IAM does: allowed from the group, denied from another group or account', async () => {
    const { stack, resources } = await synth('trust', FIRST);
    const roleId = stack.getLogicalId(stack.expiry.schedulerRole.node.defaultChild as never);
    const trust = resolve(
      resources as Resources,
      (resources[roleId] as Resource).Properties.AssumeRolePolicyDocument,
    );
    const group = String(
      resolve(resources as Resources, { Ref: stack.getLogicalId(stack.expiry.scheduleGroup) }),
    );
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/x-${roleId}`;
    // EventBridge Scheduler names the schedule group as aws:SourceArn ("Confused deputy
    // prevention", EventBridge Scheduler user guide), never the schedule.
    const from = (account: string, groupName: string) => ({
      'aws:SourceAccount': account,
      'aws:SourceArn': `arn:aws:scheduler:${REGION}:${account}:schedule-group/${groupName}`,
    });
    expect(await trustAllows(trust, roleArn, 'scheduler.amazonaws.com', from(ACCOUNT, group))).toBe(
      'Allowed',
    );
    expect(
      await trustAllows(trust, roleArn, 'scheduler.amazonaws.com', from(ACCOUNT, 'other-group')),
    ).not.toBe('Allowed');
    expect(
      await trustAllows(trust, roleArn, 'scheduler.amazonaws.com', from('210987654321', group)),
    ).not.toBe('Allowed');
    // The old condition's shape (a schedule's ARN) is what the Scheduler never sends.
    const asSchedule = {
      'aws:SourceAccount': ACCOUNT,
      'aws:SourceArn': `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/grant-1`,
    };
    expect(await trustAllows(trust, roleArn, 'scheduler.amazonaws.com', asSchedule)).not.toBe('Allowed');
    expect(await trustAllows(trust, roleArn, 'lambda.amazonaws.com', from(ACCOUNT, group))).not.toBe(
      'Allowed',
    );
  }, 60_000);
});

describe('every resource can be created again after a rollback or a teardown', () => {
  it('names nothing CloudFormation can name, and keeps only data, each without a fixed name', async () => {
    const { resources } = await synth('names', { ...FIRST, mailDomain: 'vendor.example' });
    const nameProperties = [
      'TableName',
      'QueueName',
      'RoleName',
      'FunctionName',
      'LogGroupName',
      'TopicName',
      'BucketName',
      'UserPoolName',
      'SecretName',
      'AlarmName',
      'Name',
    ];
    // Names that are not ours to choose: the sender (the SES identity is the address or domain),
    // the Cognito domain prefix and the console's groups (both inside the pool); and the
    // CloudFront function's, which CloudFormation requires (CDK derives it from the stack; it
    // goes with the stack); an HTTP API's name, which need not be unique, and its authorizer's,
    // unique within the API only. The vendor's event bus is named after the stage, like the
    // stack, so rules can name it; it goes with the stack.
    const inherent = new Set([
      'AWS::Events::EventBus',
      'AWS::SES::EmailIdentity',
      'AWS::Cognito::UserPoolDomain',
      'AWS::Cognito::UserPoolGroup',
      'AWS::CloudFront::Function',
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Authorizer',
    ]);
    for (const [id, r] of Object.entries(resources)) {
      if (inherent.has(r.Type) || r.Type.startsWith('Custom::')) continue;
      // A reference (another resource's name or ARN) is fine; a literal is a fixed name.
      for (const p of nameProperties)
        expect(typeof r.Properties?.[p], `${id} (${r.Type}) ${p}`).not.toBe('string');
    }
    const kept = Object.entries(resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
    const keptTypes = new Set(kept.map(([, r]) => r.Type));
    expect([...keptTypes].sort()).toEqual([
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolGroup',
      'AWS::DynamoDB::Table',
      'AWS::Logs::LogGroup',
      'AWS::S3::Bucket',
    ]);
    // The schedule groups (the grants', the webhook retry driver's wake-ups) go with the stack:
    // a rollback leaves nothing behind to collide with.
    const groups = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::ScheduleGroup');
    expect(groups.map((g) => g.DeletionPolicy)).toEqual(['Delete', 'Delete']);
  }, 60_000);
});

describe('mail through SES', () => {
  it('sends through a configuration set whose bounces and complaints reach a topic and an alarm', async () => {
    const { stack, resources, template } = await synth('mail', { ...FIRST, mailDomain: 'vendor.example' });
    const [configSet] = only(resources, 'AWS::SES::ConfigurationSet');
    const topic = stack.getLogicalId(stack.mail.feedback.node.defaultChild as never);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configSet },
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: { TopicARN: { Ref: topic } },
      }),
    });
    // Every email of the identity goes through it, with no code naming it.
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'vendor.example',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configSet } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfMessagesPublished',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [topic, 'TopicName'] } }],
      AlarmActions: [{ Ref: stack.getLogicalId(stack.alarms.topic.node.defaultChild as never) }],
    });
    for (const metric of ['Reputation.BounceRate', 'Reputation.ComplaintRate'])
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SES', MetricName: metric });
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs.filter((o) => o.includes('DkimRecord'))).toHaveLength(3);
  }, 60_000);

  it('lets the notifier send as mailFrom to any recipient identity (the sandbox checks them), and as no one else', async () => {
    const { stack, resources } = await synth('sandbox', FIRST);
    const roleId = stack.getLogicalId(stack.notifications.notifier.fn.role?.node.defaultChild as never);
    const policies = Object.entries(resources)
      .filter(
        ([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId),
      )
      .map(([id, r]) => ({ name: id, policy: resolve(resources as Resources, r.Properties.PolicyDocument) }));
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/x-${roleId}`;
    const identity = (name: string) => `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${name}`;
    const send = (resource: string, from: string) =>
      allowed(policies, roleArn, { action: 'ses:SendEmail', resource, context: { 'ses:FromAddress': from } });
    expect(await send(identity('support-access@vendor.example'), FIRST.mailFrom)).toBe('Allowed');
    expect(await send(identity('contact@customer.example'), FIRST.mailFrom)).toBe('Allowed');
    expect(await send(identity('contact@customer.example'), 'ceo@vendor.example')).not.toBe('Allowed');
  }, 60_000);

  it('uses an identity that exists already instead of creating one', async () => {
    const { resources, template } = await synth('shared', {
      ...FIRST,
      existingMailIdentity: 'vendor.example',
    });
    expect(ofType(resources, 'AWS::SES::EmailIdentity')).toEqual([]);
    expect(
      Object.keys(template.toJSON().Outputs as object).some((o) => o.includes('ConfigurationSetName')),
    ).toBe(true);
  }, 60_000);
});

describe('stages side by side', () => {
  it('publishes and alarms on metrics per stage: one stage never fires the other’s alarms', async () => {
    const dev = await synth('dev', { ...FIRST, existingMailIdentity: 'vendor.example' });
    const prod = await synth('prod', FIRST);
    for (const [stage, { resources }] of [
      ['dev', dev],
      ['prod', prod],
    ] as const) {
      const functions = ofType(resources, 'AWS::Lambda::Function').filter(
        ([, f]) => f.Properties.Environment?.Variables?.TABLE_NAME,
      );
      expect(functions.length).toBeGreaterThan(10);
      for (const [, f] of functions)
        expect(f.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(
          `SupportAccess/${stage}`,
        );
      const custom = ofType(resources, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
        String(a.Properties.Namespace).startsWith('SupportAccess'),
      );
      expect(custom.length).toBeGreaterThanOrEqual(3);
      for (const [, a] of custom) expect(a.Properties.Namespace).toBe(`SupportAccess/${stage}`);
    }
  }, 120_000);

  it("reads each stage's settings from its file; a -c value wins; a lower shard count than the file's is refused", async () => {
    const { stack } = await synth('settings', { ...FIRST, activeIndexShards: 4, grantMaxSeconds: 7200 });
    const env = notifierEnv(stack, Template.fromStack(stack).toJSON().Resources);
    expect(env).toMatchObject({ ACTIVE_INDEX_SHARDS: '4', GRANT_MAX_SECONDS: '7200' });
    const raised = await synth('settings', { ...FIRST, activeIndexShards: 4 }, { activeIndexShards: '8' });
    expect(notifierEnv(raised.stack, raised.resources).ACTIVE_INDEX_SHARDS).toBe('8');
    await expect(
      synth('settings', { ...FIRST, activeIndexShards: 4 }, { activeIndexShards: '2' }),
    ).rejects.toThrow(/below the 4 in .*settings\.json.*only be raised/);
    await expect(synth('badsettings', { ...FIRST, retries: [1] })).rejects.toThrow(
      /"retries" must be a string/,
    );
    await expect(synth('badsettings', { ...FIRST, stage: 'prod' })).rejects.toThrow(
      /stage is the file's name/,
    );
    await expect(synth('badsettings', { ...FIRST, mailfrom: 'x@vendor.example' })).rejects.toThrow(
      /unknown setting "mailfrom"/,
    );
  }, 120_000);

  it('checks the shard count at deploy time before any function gets it', async () => {
    const { stack, resources } = await synth('guard', { ...FIRST, activeIndexShards: 8 });
    const [guardId, guard] = only(resources, 'Custom::ActiveIndexShards');
    expect(guard.Properties.Shards).toBe('8');
    const tableFunctions = ofType(resources, 'AWS::Lambda::Function').filter(
      ([, f]) => f.Properties.Environment?.Variables?.TABLE_NAME,
    );
    for (const [id, f] of tableFunctions) expect(f.DependsOn ?? [], id).toContain(guardId);
    expect(stack.shardsGuard).toBeDefined();
  }, 60_000);
});

describe('throttles', () => {
  it('gives every unauthenticated route a lower limit of its own than the stage’s', async () => {
    const { resources } = await synth('throttle', FIRST);
    const [stageId, stage] = only(resources, 'AWS::ApiGatewayV2::Stage');
    const publicKeys = routeTable.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`);
    expect(publicKeys).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /openapi.json',
        'GET /actions/{token}',
        'POST /actions/{token}',
      ]),
    );
    expect(Object.keys(stage.Properties.RouteSettings).sort()).toEqual([...publicKeys].sort());
    for (const key of publicKeys)
      expect(stage.Properties.RouteSettings[key]).toEqual({
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      });
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 500,
      ThrottlingBurstLimit: 1000,
    });
    // Route settings name routes that must exist before the stage.
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route').filter(([, r]) =>
      publicKeys.includes(r.Properties.RouteKey),
    );
    for (const [id] of routes) expect(stage.DependsOn ?? [], stageId).toContain(id);
    const tuned = await synth('throttle2', { ...FIRST, publicRateLimit: 5, publicBurstLimit: 10 });
    const [, tunedStage] = only(tuned.resources, 'AWS::ApiGatewayV2::Stage');
    expect(tunedStage.Properties.RouteSettings['GET /health']).toEqual({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 10,
    });
  }, 60_000);
});
