/**
 * Domain errors. Each carries the stable problem `code` of the HTTP contract; the HTTP layer maps
 * them to statuses in one place (`http/problems.ts`).
 */
export type ProblemCode =
  | 'validation-failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-authorized-contact'
  | 'not-found'
  | 'grant-already-active'
  | 'grant-not-active'
  | 'contact-exists'
  | 'contact-limit-reached'
  | 'webhook-limit-reached'
  | 'webhook-test-pending'
  | 'concurrent-modification'
  | 'idempotency-key-reused'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'email-not-verified'
  | 'link-used'
  | 'link-expired'
  | 'no-active-grant'
  | 'four-eyes-required'
  | 'second-contact-required'
  | 'instruction-not-pending'
  | 'instruction-not-confirmed';

export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super('validation-failed', message);
  }

  static field(path: string, message: string): ValidationError {
    return new ValidationError(message, [{ path, message }]);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'A valid bearer token is required.') {
    super('unauthenticated', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.') {
    super('forbidden', message);
  }
}

export class NotAuthorizedContactError extends DomainError {
  constructor(tenantId: string, right: 'grant' | 'instruct' = 'grant') {
    super(
      'not-authorized-contact',
      right === 'grant'
        ? `Only authorized support contacts of tenant ${tenantId} may grant, extend or end support access. ` +
            'Ask a tenant admin to register your email address as a contact who can grant access.'
        : `Only support contacts of tenant ${tenantId} who may give instructions may request, confirm or reject one. ` +
            'Ask a tenant admin to register your email address as a contact who may give instructions.',
    );
  }
}

export class FourEyesRequiredError extends DomainError {
  constructor() {
    super(
      'four-eyes-required',
      'A second person must confirm this instruction: not the one who requested it (whatever their contact record), and a contact who could give instructions before it was requested.',
    );
  }
}

export class SecondContactRequiredError extends DomainError {
  constructor(tenantId: string) {
    super(
      'second-contact-required',
      `Deleting the account needs a second contact of tenant ${tenantId} who may give instructions, to confirm it. ` +
        'Ask a tenant admin to register one (POST /tenants/{tenantId}/contacts with "canInstruct": true), then request again.',
    );
  }
}

export class InstructionNotPendingError extends DomainError {
  constructor(id: string) {
    super('instruction-not-pending', `Instruction ${id} is no longer waiting for confirmation.`);
  }
}

export class InstructionNotConfirmedError extends DomainError {
  constructor(id: string) {
    super('instruction-not-confirmed', `Instruction ${id} is not confirmed, so it cannot be completed.`);
  }
}

export class EmailNotVerifiedError extends DomainError {
  constructor() {
    super(
      'email-not-verified',
      'Your sign-in does not show a verified email address, so it cannot identify you as a support ' +
        'contact or agent. Verify your email address with your identity provider and sign in again.',
    );
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not-found', `${what} was not found.`);
  }
}

/** What a store found, or a NotFoundError naming `what` when it found nothing. */
export function found<T>(value: T | null, what: string): T {
  if (value === null) throw new NotFoundError(what);
  return value;
}

export class GrantAlreadyActiveError extends DomainError {
  constructor(readonly activeGrantId: string) {
    super(
      'grant-already-active',
      'This tenant already has an active support access grant; extend that grant instead.',
      { activeGrantId },
    );
  }
}

export class GrantNotActiveError extends DomainError {
  constructor(grantId: string) {
    super('grant-not-active', `Grant ${grantId} has ended and can no longer be changed.`);
  }
}

export class ContactExistsError extends DomainError {
  constructor() {
    super('contact-exists', 'A contact with this email address is already registered for this tenant.');
  }
}

export class ContactLimitReachedError extends DomainError {
  constructor(max: number) {
    super(
      'contact-limit-reached',
      `This tenant already has ${max} contacts, the most it may have; remove one before adding another.`,
    );
  }
}

export class WebhookLimitReachedError extends DomainError {
  constructor(max: number) {
    super(
      'webhook-limit-reached',
      `This tenant already has ${max} webhooks, the most it may have; remove one before adding another.`,
    );
  }
}

export class WebhookTestPendingError extends DomainError {
  constructor() {
    super(
      'webhook-test-pending',
      'A test delivery to this webhook is due or being attempted right now; see its deliveries for the outcome.',
    );
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super(
      'idempotency-key-reused',
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
    );
  }
}

export class NoActiveGrantError extends DomainError {
  constructor(tenantId: string) {
    super(
      'no-active-grant',
      `Tenant ${tenantId} has no active support access grant: support may not act on it now.`,
    );
  }
}

export class LinkUsedError extends DomainError {
  constructor() {
    super('link-used', 'This link has already been used; each emailed link works once.');
  }
}

export class LinkExpiredError extends DomainError {
  constructor() {
    super('link-expired', 'This link is no longer valid; use the newest email or sign in to the console.');
  }
}

/** A conditional write lost a race; the use case re-reads and decides again. */
export class ConcurrentModificationError extends Error {
  constructor(message = 'The item changed concurrently.') {
    super(message);
    this.name = 'ConcurrentModificationError';
  }
}

/** Another request with the same Idempotency-Key won the race; replay its response. */
export class IdempotencyRaceError extends Error {
  constructor() {
    super('A concurrent request with the same Idempotency-Key was stored first.');
    this.name = 'IdempotencyRaceError';
  }
}
