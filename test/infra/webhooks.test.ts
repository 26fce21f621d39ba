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
    expect(sender.table).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(sender.index).toEqual([]);
    // sqs: the sender's on-failure queue.
    expect(beyondTheTable(sender.all, ['sqs:'])).toEqual([]);
    const retrier = tableActionsOf(stack.webhooks.retrier.fn);
    expect(retrier.table).toEqual(
      [...BACKGROUND_FUNCTIONS.retryWebhooks.needs.table].map((a) => `dynamodb:${a}`).sort(),
    );
    expect(retrier.index).toEqual(['dynamodb:Query']);
    expect(beyondTheTable(retrier.all)).toEqual([]);
  });

  it('feeds the sender the deliverable events from the stream, tenants side by side, and runs the retry driver every minute', () => {
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
    // Its runs last most of a minute: the function's timeout covers one.
    expect(
      (resources[logicalId(stack.webhooks.retrier.fn)] as Resource).Properties.Timeout,
    ).toBeGreaterThanOrEqual(60);
  });
});
