import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERABLE_EVENT_TYPES } from '../../functions/domain/audit.ts';
import { buildApp } from '../../infra/app.ts';
import type { SupportAccessStack } from '../../infra/stack.ts';
import { buildConsoleIfStale } from '../../local/console.ts';

type Resource = { Type: string; Properties: Record<string, any> };

const testApp = (context: Record<string, unknown>) =>
  buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', stage: 'test', ...context } }));

let stack: SupportAccessStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  await buildConsoleIfStale();
  const built = testApp({ eventBusRuleAccounts: '111122223333, 444455556666' });
  stack = built.stack;
  built.app.synth(); // cdk-nag: any unacknowledged finding throws
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 60_000);

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

const statementsOfRole = (role: string) =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as any[]);

const roleOf = (fnId: string) => (resources[fnId] as Resource).Properties.Role['Fn::GetAtt'][0];

describe("the vendor's event bus in the stack", () => {
  it('is the custom bus SupportAccess-<stage>, its name and ARN stack outputs', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'SupportAccess-test' });
    const outputs = Object.values(template.toJSON().Outputs as Record<string, { Value: unknown }>).map((o) =>
      JSON.stringify(o.Value),
    );
    const bus = logicalId(stack.eventBus.bus);
    expect(outputs).toContain(JSON.stringify({ Ref: bus }));
    expect(outputs).toContain(JSON.stringify({ 'Fn::GetAtt': [bus, 'Arn'] }));
  });

  it('lets the publisher alone put events, on that bus only, and read nothing of the table', () => {
    const publisher = logicalId(stack.eventBus.publisher.fn);
    const statements = statementsOfRole(roleOf(publisher));
    const eventActions = statements.filter((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('events:')),
    );
    expect(eventActions).toEqual([
      expect.objectContaining({
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [logicalId(stack.eventBus.bus), 'Arn'] },
      }),
    ]);
    const tableActions = statements
      .flatMap((s) => [s.Action].flat())
      .filter((a: string) => a.startsWith('dynamodb:'));
    // Only what the event source mapping reads the stream with.
    expect(
      tableActions.every((a: string) =>
        /^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(a),
      ),
    ).toBe(true);
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      const puts = JSON.stringify(r.Properties.PolicyDocument).includes('events:PutEvents');
      expect({ id, puts }).toEqual({
        id,
        puts: r.Properties.Roles.some((ref: any) => ref.Ref === roleOf(publisher)),
      });
    }
    const variables = (resources[publisher] as Resource).Properties.Environment.Variables;
    expect(variables.EVENT_BUS_NAME).toEqual({ Ref: logicalId(stack.eventBus.bus) });
    expect(variables.TABLE_NAME).toBeUndefined();
  });

  it('reads every deliverable event off the stream in a consumer of its own, handing failures back and losing none', () => {
    const mapping = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        r.Properties.FunctionName.Ref === logicalId(stack.eventBus.publisher.fn),
    ) as Resource;
    expect(mapping.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10_000,
      MaximumRecordAgeInSeconds: 86_400,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.eventBus.failures), 'Arn'] } },
      },
    });
    expect(mapping.Properties.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
    const pattern = JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern);
    expect(pattern).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { kind: { S: ['event'] }, type: { S: [...DELIVERABLE_EVENT_TYPES] } } },
    });
    expect(pattern.dynamodb.NewImage.type.S).not.toContain('notification.sent');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.eventBus.failures), 'QueueName'] } },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.eventBus.publisher.fn) } }],
    });
  });

  it("lets the vendor's other accounts keep their own rules on the bus, and nothing more", () => {
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::Events::EventBusPolicy');
    expect(policies).toHaveLength(2);
    const statements = policies.map((p) => p.Properties.Statement);
    for (const [i, account] of ['111122223333', '444455556666'].entries()) {
      expect(statements[i]).toMatchObject({
        Effect: 'Allow',
        Condition: { StringEqualsIfExists: { 'events:creatorAccount': account } },
      });
      expect(JSON.stringify(statements[i].Principal)).toContain(account);
      expect(statements[i].Action).toContain('events:PutRule');
      expect(statements[i].Action).not.toContain('events:PutEvents');
      expect(JSON.stringify(statements[i].Resource)).toContain(
        `":rule/",{"Ref":"${logicalId(stack.eventBus.bus)}"},"/*"`,
      );
    }
  });

  it('has no bus policy without such accounts, and refuses one that is not an account id', () => {
    const plain = testApp({ stage: 'plain' });
    expect(Object.keys(Template.fromStack(plain.stack).findResources('AWS::Events::EventBusPolicy'))).toEqual(
      [],
    );
    expect(() => testApp({ stage: 'bad', eventBusRuleAccounts: '1234' })).toThrow(/eventBusRuleAccounts/);
  });
});
