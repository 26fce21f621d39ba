import type { RouteName } from '../functions/http/routes.ts';

/** DynamoDB actions a function may use; transactions are authorised per item action. */
export type TableAction =
  | 'GetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';
export type ScheduleAction = 'CreateSchedule' | 'UpdateSchedule' | 'DeleteSchedule';

export interface FunctionNeeds {
  table: TableAction[];
  /** Queries the active-by-deadline index. */
  index?: boolean;
  schedules?: ScheduleAction[];
}

const READ: TableAction[] = ['GetItem', 'Query'];
const END_GRANT: TableAction[] = ['GetItem', 'UpdateItem', 'DeleteItem', 'PutItem'];
/** A contact's change also checks, in its transaction, that the contact may still grant. */
const CONTACT_ENDS_GRANT: TableAction[] = [...END_GRANT, 'ConditionCheckItem'];

/**
 * Exactly what each HTTP function touches, checked against the route table at compile time
 * (every route must be listed). Least privilege per function, reviewed with the use case.
 */
export const ROUTE_NEEDS: Record<RouteName, FunctionNeeds> = {
  health: { table: [] },
  openapi: { table: [] },
  listContacts: { table: ['Query'] },
  addContact: { table: ['PutItem'] },
  // Reads the contact and the active grant; deletes contact + email lock, may end the grant, and
  // otherwise checks that the active grant is still the one it read.
  removeContact: { table: CONTACT_ENDS_GRANT, schedules: ['DeleteSchedule'] },
  verifyCaller: { table: ['GetItem', 'Query', 'PutItem'] },
  // Idempotency record, pointer, grant and event; may first end an overdue grant.
  createGrant: {
    table: CONTACT_ENDS_GRANT,
    schedules: ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule'],
  },
  listGrants: { table: READ },
  getGrant: { table: ['GetItem'] },
  changeGrantDeadline: {
    table: ['GetItem', 'UpdateItem', 'PutItem', 'ConditionCheckItem'],
    schedules: ['UpdateSchedule', 'CreateSchedule'],
  },
  revokeGrant: { table: CONTACT_ENDS_GRANT, schedules: ['DeleteSchedule'] },
  checkAccess: { table: ['GetItem', 'PutItem'] },
  listActiveGrants: { table: ['Query'], index: true },
  listAudit: { table: ['Query'] },
};

export const EXPIRY_NEEDS: FunctionNeeds = { table: END_GRANT };
export const SWEEP_NEEDS: FunctionNeeds = {
  table: [...END_GRANT, 'Query'],
  index: true,
  schedules: ['DeleteSchedule'],
};
/** Contacts (Query), the ledger (UpdateItem) and its events (PutItem in a transaction). */
export const NOTIFIER_NEEDS: FunctionNeeds = { table: ['Query', 'UpdateItem', 'PutItem'] };
