import type { Access } from '../domain/authorization.ts';
import type { FunctionNeeds } from '../needs.ts';
import type * as z from '../validation/zod.ts';
import type { ResponseName } from './response-schemas.ts';

/**
 * The one route table. The local gateway and the CDK stack both build their routes from it, so a
 * route cannot exist in one and not the other. `entry` is the Lambda handler file.
 */
export interface Route {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  access: Access;
  entry: string;
  summary: string;
  /** Request schemas, built on first use (schemas.ts). */
  body?: () => z.ZodMiniType;
  query?: () => z.ZodMiniType;
  /** Status and (by name, see response-schemas.ts) schema of the success response; none: empty body. */
  success: { status: 200 | 201 | 202 | 204; schema?: ResponseName };
  /** Optional request headers the route reads. */
  headers?: { name: string; description: string }[];
  /** What the function does in AWS: its IAM policy, and whether it is wired with the Scheduler. */
  needs: FunctionNeeds;
  /**
   * A public route whose function checks a bearer token itself when the request needs one (an
   * emailed link that gives support more access): the authorizer cannot sit on a route that also
   * answers without a token, so the stack gives the function the issuer's settings instead.
   */
  verifiesSignIn?: true;
}
