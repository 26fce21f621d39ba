import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { buildApp } from '../../infra/app.ts';
import type { SupportAccessStack } from '../../infra/stack.ts';
import { buildConsoleIfStale } from '../../local/console.ts';

type Resource = { Type: string; Properties: Record<string, any> };

let stack: SupportAccessStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  await buildConsoleIfStale();
  const built = buildApp(
    new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        demo: 'true',
        stage: 'test',
        mailFrom: 'support@vendor.example',
      },
    }),
  );
  stack = built.stack;
  built.app.synth();
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 60_000);

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

function tableActionsOf(fn: { node: { defaultChild?: unknown } }) {
  const role = (resources[logicalId(fn)] as Resource).Properties.Role['Fn::GetAtt'][0];
  const statements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] });
  const on = (match: (resource: string) => boolean) =>
    statements
      .filter((s) => match(JSON.stringify(s.Resource)))
      .flatMap((s) => [s.Action].flat())
      .sort();
  return {
    table: on((r) => r === tableArn),
    index: on((r) => r.includes('/index/activeByDeadline')),
    all: statements.flatMap((s) => [s.Action].flat()),
  };
}

describe('customer webhooks in the stack', () => {
  it('never lets a deployed function reach loopback: no function is given WEBHOOKS_ALLOW_LOOPBACK', () => {
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(30);
    for (const fn of functions)
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(
        'WEBHOOKS_ALLOW_LOOPBACK',
      );
  });

  /**
   * Actions other than the table's, logs, tracing and the table functions' one cursor key
   * (this.data.grantCursorKey), and other than those of the prefixes also allowed.
   */
  const beyondTheTable = (actions: string[], alsoAllowed: string[] = []) =>
    actions.filter(
      (a) =>
        !['dynamodb:', 'logs:', 'xray:', ...alsoAllowed].some((prefix) => a.startsWith(prefix)) &&
        !['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(a),
    );

  it('gives the sender and the retry driver exactly their table actions, and nothing else of AWS but the stream and the cursor key', () => {
    const sender = tableActionsOf(stack.webhooks.sender.fn);
    // GetItem: the tenant's hold only (the first attempts use the webhooks the batch listed).
    expect(sender.table).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(sender.index).toEqual([]);
    // sqs: the sender's on-failure queue; the driver's wake-ups (below).
    expect(beyondTheTable(sender.all, ['sqs:', 'scheduler:CreateSchedule', 'iam:PassRole'])).toEqual([]);
    const retrier = tableActionsOf(stack.webhooks.retrier.fn);
    expect(retrier.table).toEqual(
      [...BACKGROUND_FUNCTIONS.retryWebhooks.needs.table].map((a) => `dynamodb:${a}`).sort(),
    );
    expect(retrier.index).toEqual(['dynamodb:Query']);
    expect(beyondTheTable(retrier.all, ['scheduler:CreateSchedule', 'iam:PassRole'])).toEqual([]);
  });

  it('lets the test route write the delivery, its marker and its lane’s count (a waiting retry brought forward: an update), nothing else of the table', () => {
    const route = tableActionsOf(stack.api.functions.testWebhook?.fn as never);
    expect(route.table).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(route.index).toEqual([]);
  });

  it('wakes the retry driver with one-time schedules in its own group, created by the sender, the driver and the test route only, invoking the driver only', () => {
    const group = stack.getLogicalId(stack.webhooks.wakeUpGroup);
    expect(resources[stack.getLogicalId(stack.webhooks.wakeUpGroup)]?.Type).toBe(
      'AWS::Scheduler::ScheduleGroup',
    );
    const wakeUpSchedules = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':scheduler:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':schedule/',
          { Ref: stack.getLogicalId(stack.webhooks.wakeUpGroup) },
          '/webhook-retries-*',
        ],
      ],
    };
    const role = {
      'Fn::GetAtt': [stack.getLogicalId(stack.webhooks.wakeUpRole.node.defaultChild as never), 'Arn'],
    };
    // Who may create them: exactly these functions, and only in that group under that prefix.
    const creators = Object.entries(resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::Policy' &&
          r.Properties.PolicyDocument.Statement.some(
            (st: any) =>
              [st.Action].flat().includes('scheduler:CreateSchedule') &&
              JSON.stringify(st.Resource) === JSON.stringify(wakeUpSchedules),
          ),
      )
      .flatMap(([, r]) => r.Properties.Roles.map((ref: any) => ref.Ref))
      .sort();
    const roleOf = (fn: { node: { defaultChild?: unknown } }) =>
      (resources[logicalId(fn)] as Resource).Properties.Role['Fn::GetAtt'][0];
    expect(creators).toEqual(
      [stack.webhooks.sender.fn, stack.webhooks.retrier.fn, stack.api.functions.testWebhook?.fn]
        .map((fn) => roleOf(fn as never))
        .sort(),
    );
    for (const fn of [
      stack.webhooks.sender.fn,
      stack.webhooks.retrier.fn,
      stack.api.functions.testWebhook?.fn,
    ]) {
      const variables = (resources[logicalId(fn as never)] as Resource).Properties.Environment.Variables;
      expect(variables.RETRY_SCHEDULE_GROUP).toEqual({ Ref: stack.getLogicalId(stack.webhooks.wakeUpGroup) });
      expect(variables.RETRY_SCHEDULER_ROLE_ARN).toEqual(role);
    }
    // The driver names itself from its context: its environment cannot hold its own ARN.
    expect(
      (resources[logicalId(stack.webhooks.sender.fn)] as Resource).Properties.Environment.Variables
        .RETRY_FUNCTION_ARN,
    ).toEqual({ 'Fn::GetAtt': [logicalId(stack.webhooks.retrier.fn), 'Arn'] });
    // The Scheduler's role: assumed for that group only, allowed to invoke the driver only.
    const wakeRole = resources[
      stack.getLogicalId(stack.webhooks.wakeUpRole.node.defaultChild as never)
    ] as Resource;
    expect(wakeRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [group, 'Arn'] } },
        },
      }),
    ]);
    const allowed = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          r.Properties.Roles.some(
            (ref: any) =>
              ref.Ref === stack.getLogicalId(stack.webhooks.wakeUpRole.node.defaultChild as never),
          ),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    expect(allowed).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [logicalId(stack.webhooks.retrier.fn), 'Arn'] },
      }),
    ]);
  });

  it('feeds the sender the deliverable events from the stream, tenants side by side, and backs the wake-ups up with a look every minute', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.webhooks.sender.fn) },
      ParallelizationFactor: 10,
      MaximumRecordAgeInSeconds: 86_400,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.webhooks.failures), 'Arn'] } },
      },
      FilterCriteria: {
        Filters: [Match.objectLike({ Pattern: Match.stringLikeRegexp('"INSERT".*"webhook.added"') })],
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack.webhooks.retrier.fn), 'Arn'] } })],
    });
    // One look: its attempts (10 s at most each) and its writes, not a minute of waiting.
    expect((resources[logicalId(stack.webhooks.retrier.fn)] as Resource).Properties.Timeout).toBe(30);
  });
});
