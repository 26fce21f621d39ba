import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionNeeds } from '../../functions/needs.ts';
import { AppFunction } from './function.ts';
import { grantNeeds } from './grants-access.ts';

/**
 * The on-failure queue of a stream consumer (batches it gave up on) and the alarm that fires as
 * soon as one arrives there.
 */
export function streamFailures(scope: Construct, alarmDescription: string): { queue: Queue; alarm: Alarm } {
  const queue = new Queue(scope, 'StreamFailures', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const alarm = new Alarm(scope, 'StreamFailuresAlarm', {
    alarmDescription,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return { queue, alarm };
}

export interface StreamConsumerProps {
  /** The function as functions/background.ts declares it: its entry, description and needs. */
  background: { entry: string; description: string; needs: FunctionNeeds };
  environment: Record<string, string>;
  table: ITable;
  /** What it means when a batch reaches the on-failure queue. */
  failureAlarm: string;
  timeout?: Duration;
}

/**
 * A background function fed by the table's stream: its on-failure queue with the queue's alarm,
 * the function (30 s unless said otherwise) and exactly the table access it needs. The caller
 * attaches the event source, whose settings differ by consumer.
 */
export function streamConsumer(scope: Construct, id: string, props: StreamConsumerProps) {
  const failures = streamFailures(scope, props.failureAlarm);
  const fn = new AppFunction(scope, id, {
    entry: props.background.entry,
    description: props.background.description,
    environment: props.environment,
    timeout: props.timeout ?? Duration.seconds(30),
  });
  grantNeeds(fn.fn, props.background.needs, props.table);
  return { fn, failures: failures.queue, failuresAlarm: failures.alarm };
}
