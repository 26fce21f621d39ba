import { CustomResource } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import { AppFunction } from './function.ts';

/** Refuses, at deploy time, a lower `activeIndexShards` than the one deployed (infra/handlers/index-shards-guard.ts). */
export class ShardsGuard extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: { shards: number }) {
    super(scope, id);
    const fn = new AppFunction(this, 'Check', {
      entry: 'infra/handlers/index-shards-guard.ts',
      description: 'Deploy-time check: activeIndexShards is never lowered',
      memorySize: 128,
    });
    this.resource = new CustomResource(this, 'Shards', {
      serviceToken: fn.fn.functionArn,
      resourceType: 'Custom::ActiveIndexShards',
      properties: { Shards: String(props.shards) },
    });
  }

  /** Makes each of `dependents` wait for the check: a refused count never reaches them. */
  guard(dependents: IConstruct[]): void {
    for (const d of dependents) d.node.addDependency(this.resource);
  }
}
