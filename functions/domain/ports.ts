/** Every port, by aggregate (one file each under ports/). */
export * from './ports/audit.ts';
export * from './ports/basics.ts';
export * from './ports/contacts.ts';
export * from './ports/event-bus.ts';
export * from './ports/grants.ts';
export * from './ports/idempotency.ts';
export * from './ports/instructions.ts';
export * from './ports/links.ts';
export * from './ports/mail.ts';
export * from './ports/paging.ts';
export * from './ports/scheduling.ts';
