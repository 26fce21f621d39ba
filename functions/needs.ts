/**
 * What a function does in AWS, declared with the function (its route-table or background entry):
 * the stack grants exactly this, and a function that schedules is wired with the Scheduler.
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';
export type ScheduleAction = 'CreateSchedule' | 'UpdateSchedule' | 'DeleteSchedule';

export interface FunctionNeeds {
  /** DynamoDB actions; a transaction is authorised per item action. */
  table: readonly TableAction[];
  /** Queries the active-by-deadline index. */
  index?: boolean;
  schedules?: readonly ScheduleAction[];
  /** Puts events on the vendor's event bus. */
  eventBus?: boolean;
  /** Wakes the webhook retry driver (one-time schedules in the webhooks' own group). */
  wakesRetries?: boolean;
}

export const READ: readonly TableAction[] = ['GetItem', 'Query'];
export const END_GRANT: readonly TableAction[] = ['GetItem', 'UpdateItem', 'PutItem'];
/** A contact's change also checks, in its transaction, that the contact may still grant. */
export const CONTACT_ENDS_GRANT: readonly TableAction[] = [...END_GRANT, 'ConditionCheckItem'];
