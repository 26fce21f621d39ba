import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleFolder, unbundledFolder } from '../bundles.ts';
import { PRODUCTION_NODE_OPTIONS } from '../bundling.ts';

export interface AppFunctionProps {
  /** Handler file, relative to the repository root (the route table's `entry`). */
  entry: string;
  description: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
}

/**
 * Every function with the same defaults: Node 24 on arm64, ESM bundle minified with source
 * maps, JSON logs into an explicit log group with retention, X-Ray tracing. Functions differ only
 * in what they do.
 */
export class AppFunction extends Construct {
  readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Its own role with exactly its own log group: no managed policy.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) and, for the stream reader, dynamodb:ListStreams use "*": they have no resource-level permissions.',
    });
    this.fn = new LambdaFunction(this, 'Function', {
      role,
      // The production bundle (infra/bundling.ts's settings, the AWS SDK inside at the version we
      // test), built with every other function's in one esbuild run.
      code: Code.fromAsset(Stack.of(this).bundlingRequired ? bundleFolder(props.entry) : unbundledFolder()),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      // p99 of a handler is a few DynamoDB calls (tens of ms); the timeout leaves room for SDK retries.
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      // The AWS Parameters and Secrets extension: the cursor key is read from it at cold start
      // (functions/adapters/secrets.ts), cached by it for five minutes.
      ...(props.environment?.CURSOR_KEY_SECRET_ARN
        ? {
            paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
              secretsManagerTtl: Duration.minutes(5),
              logLevel: ParamsAndSecretsLogLevel.WARN,
            }),
          }
        : {}),
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: PRODUCTION_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: 'support-access',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
  }
}
