/** Key shapes of the single-table design (docs/data-model.md). */
export const keys = {
  tenant: (tenantId: string) => `TENANT#${tenantId}`,
  activePointer: () => 'ACCESS',
  grant: (grantId: string) => `GRANT#${grantId}`,
  grantPrefix: 'GRANT#',
  contact: (contactId: string) => `CONTACT#${contactId}`,
  contactPrefix: 'CONTACT#',
  contactEmail: (emailKey: string) => `EMAIL#${emailKey}`,
  /** How many contacts the tenant has (the limit's guard); outside `contactPrefix`. */
  contactCount: 'CONTACTS',
  event: (eventId: string) => `EVENT#${eventId}`,
  eventPrefix: 'EVENT#',
  /** The head of the tenant's audit hash chain. */
  chainHead: 'CHAIN',
  /** The chaining step's note of tenants to come back to (a partition of its own per note). */
  chainLater: (id: string) => `CHAINLATER#${id}`,
  chainLaterSort: 'CHAINLATER',
  /** How many of the tenant's stamped checks have their events, without a gap (the chainer's mark). */
  checkMark: 'CHECKS',
  /** Index partition of one grant's support activities, by event id (receipts page through it). */
  grantActivities: (tenantId: string, grantId: string) => `ACTIVITIES#${tenantId}#${grantId}`,
  notification: (eventId: string, contactId: string) => `NOTIFY#${eventId}#${contactId}`,
  idempotency: (scope: string) => `IDEMPOTENCY#${scope}`,
  idempotencySort: 'IDEMPOTENCY',
  /** Sparse index partition holding only active grants. */
  activeIndexPartition: 'ACTIVE',
  /** Sparse index partition holding the access pointers whose reminder is pending, by due time. */
  reminderIndexPartition: 'REMIND',
  instruction: (id: string) => `INSTRUCTION#${id}`,
  instructionPrefix: 'INSTRUCTION#',
  /** Sparse index partitions of instructions: pending ones by `confirmBy`, confirmed ones by request time. */
  pendingInstructionsPartition: 'PENDING',
  confirmedInstructionsPartition: 'CONFIRMED',
  link: (tokenHash: string) => `LINK#${tokenHash}`,
  linkSort: 'LINK',
  activeIndexSort: (expiresAt: string, tenantId: string, grantId: string) =>
    `${expiresAt}#${tenantId}#${grantId}`,
} as const;
