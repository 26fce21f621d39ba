import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { routes } from '../../functions/http/routes.ts';
import { buildApp } from '../../infra/app.ts';
import type { AwsCall } from '../../local/aws-calls.ts';
import { buildConsoleIfStale } from '../../local/console.ts';
import { EVENT_BUS, RETRY_SCHEDULE_GROUP } from '../../local/stack.ts';
import { agentToken, auditOf, call, tenantWithPeople } from '../support/api.ts';
import {
  ACCOUNT,
  allowed,
  iamRequests,
  policiesOf,
  REGION,
  type Resources,
  resolve,
} from '../support/iam.ts';
import { mailedLink } from '../support/mail.ts';
import { END_MAIL_WAIT_MS, until } from '../support/until.ts';
import { startReceiver } from '../support/webhook-receiver.ts';

/** Every route and background function at work once, so each of them has its calls recorded. */
async function exerciseEverything() {
  const { tenantId, people, contacts } = await tenantWithPeople('iam');
  const agent = await agentToken();
  const t = `/tenants/${tenantId}`;
  const ok = async (method: string, path: string, token: string, json?: unknown, headers = {}) => {
    const response = await call(method, path, { token, json, headers });
    expect(response.status, `${method} ${path}: ${response.text.slice(0, 200)}`).toBeLessThan(300);
    return response.body;
  };
  await ok('GET', '/health', agent);
  await ok('GET', '/openapi.json', agent);
  await ok('GET', '/events.schema.json', agent);
  await ok('GET', `${t}/contacts`, people.admin);
  // A webhook: the sender delivers the events that follow, the retry driver the test.
  const receiver = await startReceiver();
  const hook = await ok('POST', `${t}/webhooks`, people.admin, { url: receiver.url('/iam') });
  await ok('GET', `${t}/webhooks`, people.admin);
  await ok('POST', `${t}/webhooks/${hook.webhookId}/rotate-secret`, people.admin);
  await ok('POST', `${t}/webhooks/${hook.webhookId}/test`, people.admin);
  await until(
    async () => receiver.at('/iam').map((r) => r.json.type),
    (types) => types.includes('webhook.test') && types.includes('webhook.added'),
    70_000,
    'the webhook sender and retry driver to deliver',
  );
  await ok('GET', `${t}/webhooks/${hook.webhookId}/deliveries`, people.admin);
  await ok('DELETE', `${t}/webhooks/${hook.webhookId}`, people.admin);
  await receiver.close();
  await ok('POST', `${t}/contacts/verify`, agent, { phone: '030 1234567' });
  const grant = await ok(
    'POST',
    `${t}/grants`,
    people.contact,
    // Two days: its reminder gets a schedule of its own.
    { reason: 'iam', durationSeconds: 2 * 86_400 },
    {
      'idempotency-key': 'iam-1',
    },
  );
  await ok('GET', `${t}/grants?limit=1`, people.admin);
  await ok('GET', `${t}/grants/${grant.grantId}`, people.admin);
  // The emailed links: read one, extend with another (the reminder's schedule moves).
  const link = (label: string) =>
    mailedLink(inject('sesUrl'), contacts.contact.email, 'Support access granted: iam', label);
  const extendLink = await link('Extend by 1 day');
  await ok('GET', `/actions/${extendLink.token}`, agent);
  await ok('POST', `/actions/${extendLink.token}`, people.contact);
  // Shortened within the reminder's lead: the reminder's schedule goes.
  await ok('PATCH', `${t}/grants/${grant.grantId}`, people.contact, { durationSeconds: 1200 });
  await ok('GET', `${t}/access`, agent);
  await ok('POST', `${t}/activity`, agent, { action: 'opened the invoice list', ticket: 'T-1' });
  // A verification under an active grant counts on its receipt (its own write, in the same transaction).
  await ok('POST', `${t}/contacts/verify`, agent, { phone: '030 1234567' });
  await ok('GET', `${t}/grants/${grant.grantId}/receipt`, people.admin);
  await ok('GET', `${t}/audit/export`, people.admin);
  await ok('GET', '/access?limit=1', agent);
  // Instructions: a deletion confirmed by the second pair of eyes, one rejected, one carried out.
  const deletion = await ok('POST', `${t}/instructions`, people.contact2, {
    kind: 'account-deletion',
    details: 'iam',
  });
  await ok('POST', `${t}/instructions/${deletion.instructionId}/confirm`, people.contact);
  const other = await ok('POST', `${t}/instructions`, people.contact2, {
    kind: 'account-deletion',
    details: 'iam 2',
  });
  await ok('POST', `${t}/instructions/${other.instructionId}/reject`, people.contact);
  await ok('GET', `${t}/instructions?limit=5`, people.admin);
  await ok('GET', '/instructions?status=confirmed&limit=5', agent);
  await ok('POST', `${t}/instructions/${deletion.instructionId}/complete`, agent, { note: 'done' });
  await ok('DELETE', `${t}/grants/${grant.grantId}`, people.contact);
  // An end link of an ended grant only uses the link up.
  await ok('POST', `/actions/${(await link('End access now')).token}`, agent);
  // A grant that ends by itself (schedule → expiry function) and one that the contact's removal ends.
  const short = await ok('POST', `${t}/grants`, people.contact2, {
    reason: 'iam expiry',
    durationSeconds: 2,
  });
  await until(
    () => call('GET', `${t}/grants/${short.grantId}`, { token: people.admin }),
    (r) => r.body.status === 'expired',
    15_000,
    'the short grant to expire',
  );
  await ok('POST', `${t}/grants`, people.contact, { reason: 'iam removal', durationSeconds: 600 });
  await ok('DELETE', `${t}/contacts/${contacts.contact.contactId}`, people.admin);
  // A removal that ends no grant checks the tenant's active grant instead.
  await ok('DELETE', `${t}/contacts/${contacts.readOnly.contactId}`, people.admin);
  await ok('POST', `${t}/contacts`, people.admin, {
    name: 'Late',
    email: `late@${tenantId}.example`,
    phone: '030 7654321',
  });
  await until(
    () => auditOf(tenantId, people.admin),
    (events) => events.some((e) => e.type === 'notification.sent' && e.details.eventType === 'grant.revoked'),
    END_MAIL_WAIT_MS,
    'the notifier to mail the revocation',
  );
  await ok('GET', `${t}/audit?limit=2`, people.admin);
  // The publisher has put this tenant's events on the bus.
  await until(
    () =>
      fetch(`${inject('eventsUrl')}/events`).then(
        (r) => r.json() as Promise<{ detail: { tenantId: string } }[]>,
      ),
    (events) => events.some((e) => e.detail.tenantId === tenantId),
    15_000,
    'the publisher to put the events on the bus',
  );
  // The chaining step has linked this tenant's first events (it waits for them to settle).
  await until(
    () => call('GET', `${t}/audit/export`, { token: people.admin }),
    (r) => r.status === 200 && r.text.length > 0,
    60_000,
    'the audit chain to take the first events',
  );
}

/** The stack as `cdk synth` builds it (bundling skipped), and where each function's role is. */
async function synthesized() {
  await buildConsoleIfStale();
  const { app, stack } = buildApp(
    new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', stage: 'iam' } }),
  );
  app.synth();
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const roleOf = (fn: IFunction) => stack.getLogicalId(fn.role?.node.defaultChild as never);
  const functions: Record<string, string> = {
    expireGrant: roleOf(stack.expiry.expiryFunction.fn),
    sweep: roleOf(stack.expiry.sweepFunction.fn),
    notify: roleOf(stack.notifications.notifier.fn),
    chainAudit: roleOf(stack.auditChain.chainer.fn),
    recordChecks: roleOf(stack.auditChain.recorder.fn),
    publishEvents: roleOf(stack.eventBus.publisher.fn),
    deliverWebhooks: roleOf(stack.webhooks.sender.fn),
    retryWebhooks: roleOf(stack.webhooks.retrier.fn),
  };
  for (const route of routes) {
    const fn = stack.api.functions[route.name];
    if (fn) functions[route.name] = roleOf(fn.fn);
  }
  const only = (type: string) => {
    const found = Object.keys(resources).filter((id) => resources[id]?.Type === type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0] as string;
  };
  const schedulerRole = stack.getLogicalId(stack.expiry.schedulerRole.node.defaultChild as never);
  const stackResources = {
    tableArn: String(resolve(resources, { 'Fn::GetAtt': [only('AWS::DynamoDB::Table'), 'Arn'] })),
    scheduleGroup: String(resolve(resources, { Ref: stack.getLogicalId(stack.expiry.scheduleGroup) })),
    schedulerRoleArn: String(resolve(resources, { 'Fn::GetAtt': [schedulerRole, 'Arn'] })),
    mailIdentityArn: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${resolve(resources, { Ref: only('AWS::SES::EmailIdentity') })}`,
    eventBus: {
      arn: String(resolve(resources, { 'Fn::GetAtt': [only('AWS::Events::EventBus'), 'Arn'] })),
      localName: EVENT_BUS,
    },
    wakeUps: {
      scheduleGroup: String(resolve(resources, { Ref: stack.getLogicalId(stack.webhooks.wakeUpGroup) })),
      roleArn: String(
        resolve(resources, {
          'Fn::GetAtt': [stack.getLogicalId(stack.webhooks.wakeUpRole.node.defaultChild as never), 'Arn'],
        }),
      ),
      localGroup: RETRY_SCHEDULE_GROUP,
    },
  };
  return { stack, resources, functions, stackResources, schedulerRole };
}

const roleArn = (roleId: string) => `arn:aws:iam::${ACCOUNT}:role/x-${roleId}`;

describe('every AWS call each function makes is allowed by its own IAM policy in the synthesized stack', () => {
  it('records the calls of every function in the e2e run and finds none the policy would deny', async () => {
    await exerciseEverything();
    const { resources, functions, stackResources } = await synthesized();
    const lines = (await readFile(join(inject('dataDir'), 'aws-calls.jsonl'), 'utf8')).trim().split('\n');
    const calls = lines.map((l) => JSON.parse(l) as AwsCall);
    const seen = new Set(calls.map((c) => c.fn));
    for (const name of [...routes.map((r) => r.name), ...Object.keys(BACKGROUND_FUNCTIONS)]) {
      if (name === 'health' || name === 'openapi' || name === 'eventsSchema') continue; // they call nothing
      expect(seen, `calls recorded for ${name}`).toContain(name);
    }
    const denied: string[] = [];
    const checked = new Set<string>();
    for (const c of calls) {
      const roleId = functions[c.fn];
      if (!roleId) {
        denied.push(`${c.fn}: no such function in the stack`);
        continue;
      }
      for (const request of iamRequests(c, stackResources)) {
        const key = `${c.fn} ${request.action} ${request.resource}`;
        if (checked.has(key)) continue;
        checked.add(key);
        const decision = await allowed(policiesOf(resources, roleId), roleArn(roleId), request);
        if (decision !== 'Allowed') denied.push(`${key}: ${decision}`);
      }
    }
    expect(denied).toEqual([]);
    expect(checked.size).toBeGreaterThan(30);
    console.info(
      `IAM: ${calls.length} calls, ${checked.size} distinct (function, action, resource), all allowed`,
    );
  }, 180_000);

  it('would catch a missing statement: without ConditionCheckItem, creating a grant is denied', async () => {
    const { resources, functions, stackResources } = await synthesized();
    const roleId = functions.createGrant as string;
    const policies = policiesOf(resources, roleId).map(({ name, policy }) => ({
      name,
      policy: {
        ...policy,
        Statement: policy.Statement.map((s: { Action: string | string[] }) => ({
          ...s,
          Action: [s.Action].flat().filter((a) => a !== 'dynamodb:ConditionCheckItem'),
        })).filter((s: { Action: string[] }) => s.Action.length > 0),
      },
    }));
    const create: AwsCall = {
      fn: 'createGrant',
      service: 'DynamoDB',
      command: 'TransactWrite',
      transact: [
        { op: 'Put', table: 'local' },
        { op: 'ConditionCheck', table: 'local' },
      ],
    };
    const [put, check] = iamRequests(create, stackResources);
    expect(await allowed(policies, roleArn(roleId), put as never)).toBe('Allowed');
    expect(await allowed(policies, roleArn(roleId), check as never)).toBe('ImplicitlyDenied');
    expect(await allowed(policiesOf(resources, roleId), roleArn(roleId), check as never)).toBe('Allowed');
  }, 60_000);

  it('would catch a put on another bus: the publisher may put events on its own bus only', async () => {
    const { resources, functions, stackResources } = await synthesized();
    const roleId = functions.publishEvents as string;
    const put = (bus: string) =>
      iamRequests({ fn: 'publishEvents', service: 'EventBridge', command: 'PutEvents', bus }, stackResources);
    const decide = async (bus: string, fn = roleId) =>
      allowed(policiesOf(resources, fn), roleArn(fn), put(bus)[0] as never);
    expect(await decide(EVENT_BUS)).toBe('Allowed');
    expect(await decide('default')).toBe('ImplicitlyDenied');
    expect(await decide(EVENT_BUS, functions.notify)).toBe('ImplicitlyDenied');
  }, 60_000);

  it('lets the scheduler role invoke exactly the expiry function', async () => {
    const { stack, resources, schedulerRole } = await synthesized();
    const fnArn = (fn: IFunction) =>
      String(
        resolve(resources, { 'Fn::GetAtt': [stack.getLogicalId(fn.node.defaultChild as never), 'Arn'] }),
      );
    const policies = policiesOf(resources, schedulerRole);
    const invoke = (resource: string) =>
      allowed(policies, roleArn(schedulerRole), { action: 'lambda:InvokeFunction', resource });
    expect(await invoke(fnArn(stack.expiry.expiryFunction.fn))).toBe('Allowed');
    expect(await invoke(fnArn(stack.expiry.sweepFunction.fn))).toBe('ImplicitlyDenied');
    expect(await invoke(fnArn(stack.notifications.notifier.fn))).toBe('ImplicitlyDenied');
    const createGrant = stack.api.functions.createGrant?.fn as IFunction;
    expect(await invoke(fnArn(createGrant))).toBe('ImplicitlyDenied');
    expect(await invoke(fnArn(stack.webhooks.retrier.fn))).toBe('ImplicitlyDenied');
  }, 60_000);

  it('lets the wake-up role invoke exactly the retry driver, and the sender create only wake-ups in their own group', async () => {
    const { stack, resources, functions, stackResources } = await synthesized();
    const fnArn = (fn: IFunction) =>
      String(
        resolve(resources, { 'Fn::GetAtt': [stack.getLogicalId(fn.node.defaultChild as never), 'Arn'] }),
      );
    const wakeRole = stack.getLogicalId(stack.webhooks.wakeUpRole.node.defaultChild as never);
    const invoke = (resource: string) =>
      allowed(policiesOf(resources, wakeRole), roleArn(wakeRole), {
        action: 'lambda:InvokeFunction',
        resource,
      });
    expect(await invoke(fnArn(stack.webhooks.retrier.fn))).toBe('Allowed');
    expect(await invoke(fnArn(stack.expiry.expiryFunction.fn))).toBe('ImplicitlyDenied');
    expect(await invoke(fnArn(stack.webhooks.sender.fn))).toBe('ImplicitlyDenied');
    const sender = functions.deliverWebhooks as string;
    const create = async (group: string, schedule: string) => {
      const decisions = [];
      for (const request of iamRequests(
        { fn: 'deliverWebhooks', service: 'Scheduler', command: 'CreateSchedule', group, schedule },
        stackResources,
      ))
        decisions.push(await allowed(policiesOf(resources, sender), roleArn(sender), request));
      return decisions;
    };
    expect(await create(RETRY_SCHEDULE_GROUP, 'webhook-retries-20261201T100006Z')).toEqual([
      'Allowed',
      'Allowed',
    ]);
    expect(await create(RETRY_SCHEDULE_GROUP, 'grant-01JX')).toEqual(['ImplicitlyDenied', 'Allowed']);
    expect((await create('SupportAccess-local-grants', 'webhook-retries-20261201T100006Z'))[0]).toBe(
      'ImplicitlyDenied',
    );
  }, 60_000);
});
