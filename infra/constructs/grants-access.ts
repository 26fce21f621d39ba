import { Aws, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ACTIVE_BY_DEADLINE_INDEX } from '../../functions/adapters/dynamodb/table-definition.ts';
import type { FunctionNeeds } from '../../functions/needs.ts';

/** ARN of every grant's schedules in the group (grant-<grantId> and grant-<grantId>-reminder). */
export function grantSchedulesArn(groupName: string): string {
  // Pseudo parameters, not the stack's resolved env, so the ARN reads the same in every synth.
  return `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/grant-*`;
}

/** ARN of every instruction's lapse schedule in the group (instruction-<instructionId>). */
export function instructionSchedulesArn(groupName: string): string {
  return `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/instruction-*`;
}

/** How cdk-nag names those ARNs in its findings. */
const SCHEDULES_FINDING = (groupName: string, prefix: string) =>
  `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/${prefix}-*`;

export interface ScheduleAccess {
  groupName: string;
  /** How cdk-nag names the group in a finding (`<LogicalId>` for a name CloudFormation makes). */
  groupFinding: string;
  schedulerRole: IRole;
}

/** Grants one function exactly the table actions and schedule actions it needs, nothing more. */
export function grantNeeds(
  fn: IFunction,
  needs: FunctionNeeds,
  table: ITable,
  schedules?: ScheduleAccess,
): void {
  if (needs.table.length > 0) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: needs.table.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
      }),
    );
  }
  if (needs.index) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${ACTIVE_BY_DEADLINE_INDEX.indexName}`],
      }),
    );
  }
  if (needs.schedules?.length) {
    if (!schedules) throw new Error('schedule access needs the schedule group');
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: needs.schedules.map((a) => `scheduler:${a}`),
        resources: [grantSchedulesArn(schedules.groupName), instructionSchedulesArn(schedules.groupName)],
      }),
    );
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${SCHEDULES_FINDING(schedules.groupFinding, 'grant')}]`,
        reason:
          'The schedules of grants (grant-<grantId>, grant-<grantId>-reminder), all in our own schedule group: the narrowest ARN there is.',
      });
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${SCHEDULES_FINDING(schedules.groupFinding, 'instruction')}]`,
        reason:
          'The lapse schedules of instructions (instruction-<instructionId>), all in our own schedule group: the narrowest ARN there is.',
      });
    }
    if (needs.schedules.some((a) => a !== 'DeleteSchedule')) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [schedules.schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    }
  }
}
