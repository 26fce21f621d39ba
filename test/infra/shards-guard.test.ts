import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler, shardsDecision } from '../../infra/handlers/index-shards-guard.ts';

const common = {
  ServiceToken: 'arn:aws:lambda:eu-central-1:123456789012:function:guard',
  StackId: 'arn:aws:cloudformation:eu-central-1:123456789012:stack/SupportAccess-prod/1',
  RequestId: 'r-1',
  LogicalResourceId: 'ShardsGuardShards',
  ResourceType: 'Custom::ActiveIndexShards',
};
const update = (
  before: string,
  after: string,
  url = 'http://127.0.0.1:1/',
): CloudFormationCustomResourceEvent => ({
  ...common,
  ResponseURL: url,
  RequestType: 'Update',
  PhysicalResourceId: 'active-index-shards',
  ResourceProperties: { ServiceToken: common.ServiceToken, Shards: after },
  OldResourceProperties: { ServiceToken: common.ServiceToken, Shards: before },
});

const received: { method: string; contentType: string | undefined; body: any }[] = [];
let url = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push({
      method: String(req.method),
      contentType: req.headers['content-type'],
      body: JSON.parse(body),
    });
    res.end();
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the deploy-time check of activeIndexShards', () => {
  it('fails an update that lowers the count, naming both counts; raising, keeping and creating succeed', () => {
    const lowered = shardsDecision(update('8', '4'));
    expect(lowered.Status).toBe('FAILED');
    expect(lowered.Reason).toMatch(/8 → 4/);
    expect(shardsDecision(update('4', '8')).Status).toBe('SUCCESS');
    expect(shardsDecision(update('4', '4')).Status).toBe('SUCCESS');
    // The rollback of a refused update goes back up: it succeeds.
    expect(shardsDecision(update('4', '8')).PhysicalResourceId).toBe('active-index-shards');
    const create = shardsDecision({
      ...common,
      ResponseURL: url,
      RequestType: 'Create',
      ResourceProperties: { ServiceToken: common.ServiceToken, Shards: '1' },
    });
    expect(create).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'active-index-shards' });
  });

  it("answers CloudFormation's pre-signed URL with a PUT and no content type", async () => {
    await handler(update('8', '2', url));
    expect(received.at(-1)).toMatchObject({
      method: 'PUT',
      contentType: '',
      body: {
        Status: 'FAILED',
        RequestId: 'r-1',
        LogicalResourceId: 'ShardsGuardShards',
        StackId: common.StackId,
      },
    });
  });
});
