import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AwsCall } from '../../local/aws-calls.ts';

/** The account and region the synthesized template is read in. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';

type Resource = { Type: string; Properties?: Record<string, any> };
export type Resources = Record<string, Resource>;

/** A resource's physical name as it would be in AWS: its explicit name, or one made from its id. */
function nameOf(id: string, r: Resource): string {
  const p = r.Properties ?? {};
  return String(
    p.TableName ?? p.Name ?? p.QueueName ?? p.RoleName ?? p.FunctionName ?? p.LogGroupName ?? `x-${id}`,
  );
}

function arnOf(resources: Resources, id: string): string {
  const r = resources[id];
  if (!r) throw new Error(`no resource ${id}`);
  const name = nameOf(id, r);
  switch (r.Type) {
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    case 'AWS::Scheduler::ScheduleGroup':
      return `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${name}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
    case 'AWS::Events::EventBus':
      return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
    default:
      return `arn:aws:unknown:${REGION}:${ACCOUNT}:${id}`;
  }
}

/** Resolves Ref, Fn::GetAtt and Fn::Join of the template's own resources and pseudo parameters. */
export function resolve(resources: Resources, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(resources, v));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if ('Ref' in o) {
    const ref = String(o.Ref);
    const pseudo: Record<string, string> = {
      'AWS::AccountId': ACCOUNT,
      'AWS::Region': REGION,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (ref in pseudo) return pseudo[ref];
    const r = resources[ref];
    if (r?.Type === 'AWS::SES::EmailIdentity') return r.Properties?.EmailIdentity;
    return r ? nameOf(ref, r) : ref;
  }
  if ('Fn::GetAtt' in o) {
    const [id, attribute] = o['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn') return arnOf(resources, id);
    if (attribute === 'StreamArn') return `${arnOf(resources, id)}/stream/2026-01-01T00:00:00.000`;
    return nameOf(id, resources[id] as Resource);
  }
  if ('Fn::Join' in o) {
    const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(resolve(resources, p))).join(separator);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(resources, v)]));
}

/** The policy documents attached to a role, resolved. */
export function policiesOf(resources: Resources, roleId: string): { name: string; policy: any }[] {
  return Object.entries(resources)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' &&
        ((r.Properties?.Roles ?? []) as { Ref: string }[]).some((role) => role.Ref === roleId),
    )
    .map(([id, r]) => ({ name: id, policy: resolve(resources, r.Properties?.PolicyDocument) }));
}

export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

/** Where a local resource stands in the stack: the template's one table, schedule group, role, identity. */
export interface StackResources {
  tableArn: string;
  scheduleGroup: string;
  schedulerRoleArn: string;
  mailIdentityArn: string;
  /** The vendor's event bus, and the name the local runtime gives it. */
  eventBus: { arn: string; localName: string };
  /** The webhook retry driver's wake-ups: their own group and role, and the local group's name. */
  wakeUps: { scheduleGroup: string; roleArn: string; localGroup: string };
}

const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
};
const TRANSACT_ITEM: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/**
 * The IAM requests one recorded call makes in AWS, with the resource ARN it would have there.
 * A transaction is authorised per item action; creating or updating a schedule also passes the
 * scheduler role.
 */
export function iamRequests(call: AwsCall, stack: StackResources): IamRequest[] {
  if (call.service === 'DynamoDB') {
    const action = DOCUMENT_COMMANDS[call.command] ?? call.command;
    if (action === 'TransactWriteItems')
      return (call.transact ?? []).map((item) => ({
        action: `dynamodb:${TRANSACT_ITEM[item.op] ?? item.op}`,
        resource: stack.tableArn,
      }));
    const resource = call.index ? `${stack.tableArn}/index/${call.index}` : stack.tableArn;
    return [{ action: `dynamodb:${action}`, resource }];
  }
  if (call.service === 'Scheduler') {
    const wakeUp = call.group === stack.wakeUps.localGroup;
    const group = wakeUp ? stack.wakeUps.scheduleGroup : stack.scheduleGroup;
    const resource = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/${call.schedule}`;
    const requests: IamRequest[] = [{ action: `scheduler:${call.command}`, resource }];
    if (call.command === 'CreateSchedule' || call.command === 'UpdateSchedule')
      requests.push({
        action: 'iam:PassRole',
        resource: wakeUp ? stack.wakeUps.roleArn : stack.schedulerRoleArn,
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    return requests;
  }
  if (call.service === 'SES') {
    // GetSendQuota has no resource-level permissions: IAM evaluates it against "*". A send is
    // authorized with the sender's address as ses:FromAddress.
    if (call.command === 'GetSendQuota') return [{ action: 'ses:GetSendQuota', resource: '*' }];
    const from = /<([^>]+)>\s*$/.exec(call.source ?? '')?.[1] ?? call.source ?? '';
    return [
      {
        action: `ses:${call.command}`,
        resource: stack.mailIdentityArn,
        context: { 'ses:FromAddress': from },
      },
    ];
  }
  if (call.service === 'EventBridge') {
    // The stack's one bus stands for the local one; a call to any other bus is on a resource
    // the stack does not have.
    return (call.bus ?? 'default').split(',').map((bus) => ({
      action: `events:${call.command}`,
      resource:
        bus === stack.eventBus.localName
          ? stack.eventBus.arn
          : `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${bus}`,
    }));
  }
  return [{ action: `${call.service.toLowerCase()}:${call.command}`, resource: '*' }];
}

/** Whether the role's policies allow the request, as IAM would decide it. */
export async function allowed(
  policies: { name: string; policy: any }[],
  roleArn: string,
  request: IamRequest,
): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: roleArn,
        resource: { accountId: ACCOUNT, resource: request.resource },
        contextVariables: request.context ?? {},
      },
    } as never,
    {},
  );
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors).slice(0, 300)}`;
  return (result as { overallResult: string }).overallResult;
}

/** Whether a role's trust policy lets `principal` (a service) assume it, with the request's context. */
export async function trustAllows(
  trustPolicy: any,
  roleArn: string,
  principal: string,
  context: Record<string, string>,
): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trustPolicy,
      request: {
        action: 'sts:AssumeRole',
        principal,
        resource: { accountId: ACCOUNT, resource: roleArn },
        contextVariables: context,
      },
    } as never,
    {},
  );
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors).slice(0, 300)}`;
  return (result as { overallResult: string }).overallResult;
}
