import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConcurrentModificationError,
  DomainError,
  type FieldError,
  type ProblemCode,
} from '../domain/errors.ts';

/** The one mapping from problem codes to HTTP statuses and titles. */
export const PROBLEMS: Record<ProblemCode, { status: number; title: string }> = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-authorized-contact': { status: 403, title: 'Not an authorized support contact' },
  'not-found': { status: 404, title: 'Not found' },
  'grant-already-active': { status: 409, title: 'A grant is already active' },
  'grant-not-active': { status: 409, title: 'The grant is not active' },
  'contact-exists': { status: 409, title: 'The contact already exists' },
  'contact-limit-reached': { status: 409, title: 'The tenant has as many contacts as it may' },
  'webhook-limit-reached': { status: 409, title: 'The tenant has as many webhooks as it may' },
  'webhook-test-pending': { status: 409, title: 'A test delivery to this webhook is pending' },
  'concurrent-modification': { status: 409, title: 'Changed by another request at the same time' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused with another request' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'email-not-verified': { status: 403, title: 'Email address not verified' },
  'link-used': { status: 410, title: 'The link has been used' },
  'link-expired': { status: 410, title: 'The link has expired' },
  'no-active-grant': { status: 403, title: 'No active support access' },
  'four-eyes-required': { status: 403, title: 'A second contact must confirm' },
  'second-contact-required': { status: 409, title: 'A second instructing contact is required' },
  'instruction-not-pending': { status: 409, title: 'The instruction is not pending' },
  'instruction-not-confirmed': { status: 409, title: 'The instruction is not confirmed' },
};

export const SECURITY_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

function problemDocument(
  code: ProblemCode,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemDocument {
  const { status, title } = PROBLEMS[code];
  return { type: `/problems/${code}`, title, status, code, detail, ...extra };
}

export function problemResponse(document: ProblemDocument): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: document.status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/problem+json' },
    body: JSON.stringify(document),
  };
}

export function problem(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}) {
  return problemResponse(problemDocument(code, detail, extra));
}

/** A bare 500: nothing about the cause leaves the system (it is logged instead). */
export function internalErrorResponse(): APIGatewayProxyStructuredResultV2 {
  return problemResponse({
    type: '/problems/internal-error',
    title: 'Internal error',
    status: 500,
    code: 'internal-error',
    detail: 'Something went wrong on our side. Please try again; the request may be retried safely.',
  });
}

/** Known errors become their problem; undefined for anything unexpected. */
export function errorToProblem(error: unknown): APIGatewayProxyStructuredResultV2 | undefined {
  // A race lost even after the use case's retries: the caller may simply try again.
  if (error instanceof ConcurrentModificationError)
    return problem(
      'concurrent-modification',
      'Another request changed this at the same moment, and this one could not be applied; try again.',
    );
  if (!(error instanceof DomainError)) return undefined;
  const extra: Record<string, unknown> = { ...error.extra };
  if ('errors' in error && Array.isArray(error.errors)) extra.errors = error.errors;
  return problem(error.code, error.message, extra);
}
