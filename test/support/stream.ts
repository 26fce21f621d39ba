import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { accessRecordOf } from '../../functions/adapters/dynamodb/stream.ts';
import type { StampedCheck } from '../../functions/domain/access-check.ts';
import type { CheckRecordStore, Log } from '../../functions/domain/ports.ts';
import { recordStampedChecks } from '../../functions/use-cases/audit.ts';
import { toLambdaRecord } from '../../local/stream-poller.ts';
import { localCredentials } from './table.ts';

/** Every record on the table's stream so far, in order per shard, as Lambda would deliver them. */
export async function streamRecords(client: DynamoDBClient, tableName: string): Promise<DynamoDBRecord[]> {
  const endpoint = await client.config.endpoint?.();
  const streams = new DynamoDBStreamsClient({
    endpoint: endpoint ? `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}` : undefined,
    region: 'eu-central-1',
    credentials: localCredentials,
  });
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = Table?.LatestStreamArn as string;
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: DynamoDBRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(page.Records ?? []).map((r) => toLambdaRecord(r, streamArn, 'eu-central-1')));
      // An open shard always hands out a next iterator: stop once it has nothing more.
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/**
 * What the check recorder does with the stream: writes the `access.checked` events of the checks
 * stamped so far (from the real stream of DynamoDB Local) and moves each tenant's check mark.
 * Safe to call repeatedly; `skip` leaves stamps out, as a batch the stream gave up on would.
 */
export async function recordChecksFromStream(
  t: { client: DynamoDBClient; tableName: string; stores: { checks: CheckRecordStore } },
  skip: (stamped: StampedCheck) => boolean = () => false,
): Promise<number> {
  const stamped = (await streamRecords(t.client, t.tableName))
    .flatMap((record) => accessRecordOf(record)?.stamped ?? [])
    .filter((s) => !skip(s));
  return (await recordStampedChecks({ checks: t.stores.checks, log: silentLog }, stamped)).written;
}

const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
