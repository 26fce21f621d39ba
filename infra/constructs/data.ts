import { CfnOutput, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  ACTIVE_BY_DEADLINE_INDEX,
  STREAM_VIEW,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
} from '../../functions/adapters/dynamodb/table-definition.ts';

/**
 * The one table, from the shared definition: on-demand, PITR, protected, retained, stream on;
 * and the generated secret that signs list cursors.
 */
export class DataStore extends Construct {
  readonly table: Table;
  readonly cursorSecret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryption.AWS_MANAGED,
      stream: StreamViewType[STREAM_VIEW],
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: ACTIVE_BY_DEADLINE_INDEX.indexName,
      partitionKey: { name: ACTIVE_BY_DEADLINE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: ACTIVE_BY_DEADLINE_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    this.cursorSecret = new Secret(this, 'CursorKey', {
      description: 'Signs the list cursors the API hands out, so a cursor it did not issue is refused.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    new CfnOutput(this, 'CursorKeySecretArn', {
      value: this.cursorSecret.secretArn,
      description: 'The cursor key: rotated by hand in two steps (docs/deploy.md)',
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only signs list cursors, which live for a paging session. It is rotated by hand in two steps ' +
        '(docs/deploy.md): the functions read it at cold start and every few minutes, and accept the previous key.',
    });
  }

  /** Where the functions find the key: never the key itself (they read it at cold start). */
  get cursorKeyEnvironment(): Record<string, string> {
    return { CURSOR_KEY_SECRET_ARN: this.cursorSecret.secretArn };
  }

  /** Lets each function read the key (all its versions: current, previous, pending). */
  grantCursorKey(functions: { fn: IGrantable }[]): void {
    for (const f of functions) this.cursorSecret.grantRead(f.fn);
  }
}
