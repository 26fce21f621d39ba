import type { input, output, ZodMiniType } from 'zod/mini';
import type { Problem, RESPONSES } from '../../functions/http/response-schemas.ts';
import type { routes } from '../../functions/http/routes.ts';

/**
 * The public API, and nothing else. Every request and answer type comes from the route table and
 * the schemas that also write docs/openapi.json; type imports only, so none of that code (nor
 * zod) is in the console's bundle.
 */

type Route = (typeof routes)[number];
type RouteName = Route['name'];
type RouteNamed<N extends RouteName> = Extract<Route, { name: N }>;

/** `GET /tenants/{tenantId}/grants`: a route as the gateway and the stack know it. */
type RouteKey<N extends RouteName> = `${RouteNamed<N>['method']} ${RouteNamed<N>['path']}`;

/**
 * The routes the console calls. Each key must be the route table's own: a route renamed, moved
 * to another path or method, or removed no longer compiles here.
 */
const ENDPOINTS = {
  listContacts: 'GET /tenants/{tenantId}/contacts',
  addContact: 'POST /tenants/{tenantId}/contacts',
  removeContact: 'DELETE /tenants/{tenantId}/contacts/{contactId}',
  verifyCaller: 'POST /tenants/{tenantId}/contacts/verify',
  createGrant: 'POST /tenants/{tenantId}/grants',
  listGrants: 'GET /tenants/{tenantId}/grants',
  changeGrantDeadline: 'PATCH /tenants/{tenantId}/grants/{grantId}',
  revokeGrant: 'DELETE /tenants/{tenantId}/grants/{grantId}',
  checkAccess: 'GET /tenants/{tenantId}/access',
  listActiveGrants: 'GET /access',
  listAudit: 'GET /tenants/{tenantId}/audit',
  grantReceipt: 'GET /tenants/{tenantId}/grants/{grantId}/receipt',
  exportAudit: 'GET /tenants/{tenantId}/audit/export',
  requestInstruction: 'POST /tenants/{tenantId}/instructions',
  listInstructions: 'GET /tenants/{tenantId}/instructions',
  confirmInstruction: 'POST /tenants/{tenantId}/instructions/{instructionId}/confirm',
  rejectInstruction: 'POST /tenants/{tenantId}/instructions/{instructionId}/reject',
  completeInstruction: 'POST /tenants/{tenantId}/instructions/{instructionId}/complete',
  listConfirmedInstructions: 'GET /instructions',
  viewActionLink: 'GET /actions/{token}',
  useActionLink: 'POST /actions/{token}',
  listWebhooks: 'GET /tenants/{tenantId}/webhooks',
  addWebhook: 'POST /tenants/{tenantId}/webhooks',
  removeWebhook: 'DELETE /tenants/{tenantId}/webhooks/{webhookId}',
  rotateWebhookSecret: 'POST /tenants/{tenantId}/webhooks/{webhookId}/rotate-secret',
  testWebhook: 'POST /tenants/{tenantId}/webhooks/{webhookId}/test',
  listWebhookDeliveries: 'GET /tenants/{tenantId}/webhooks/{webhookId}/deliveries',
} as const satisfies { [N in RouteName]?: RouteKey<N> };

export type Endpoint = keyof typeof ENDPOINTS;

type Placeholders<P extends string> = P extends `${string}{${infer K}}${infer Rest}`
  ? K | Placeholders<Rest>
  : never;
/** The path's placeholders, e.g. `{ tenantId: string; grantId: string }`. */
export type PathParams<N extends Endpoint> = { [K in Placeholders<RouteNamed<N>['path']>]: string };
/** The JSON body as the route's schema reads it (its input, before defaults and transforms). */
export type RequestBody<N extends Endpoint> =
  RouteNamed<N> extends { body: () => infer B extends ZodMiniType } ? input<B> : never;
/** Query parameters as the route's schema reads them: strings, as in any address. */
export type Query<N extends Endpoint> =
  RouteNamed<N> extends { query: () => infer Q extends ZodMiniType } ? input<Q> : never;
/** The success answer's body; null for an empty one (204, or one the schema does not describe). */
export type Answer<N extends Endpoint> = RouteNamed<N>['success'] extends {
  schema: infer S extends keyof typeof RESPONSES;
}
  ? output<(typeof RESPONSES)[S]>
  : null;

/** What a call carries besides the route: only what that route takes, and all that it needs. */
export type Call<N extends Endpoint> = ([keyof PathParams<N>] extends [never]
  ? { params?: undefined }
  : { params: PathParams<N> }) &
  ([RequestBody<N>] extends [never] ? { body?: undefined } : { body: RequestBody<N> }) & {
    query?: Query<N>;
    headers?: Record<string, string>;
  };

export type Grant = Answer<'createGrant'>;
export type Contact = Answer<'addContact'>;
export type Instruction = Answer<'requestInstruction'>;
export type Receipt = Answer<'grantReceipt'>;
export type LinkView = Answer<'viewActionLink'>;
export type AuditEvent = Answer<'listAudit'>['events'][number];
export type Webhook = Answer<'listWebhooks'>['webhooks'][number];
export type Delivery = Answer<'listWebhookDeliveries'>['deliveries'][number];
export type CallerSummary = Answer<'verifyCaller'>['matches'][number];
type ProblemDocument = Partial<output<typeof Problem>> | null;

/** A failed call: the HTTP status (0: no answer), the problem's code, and its detail as message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** Fills a route's path with its parameters, each encoded, and appends the query. */
function address(name: Endpoint, params: Record<string, string> = {}, query?: unknown) {
  const [method, template = ''] = ENDPOINTS[name].split(' ');
  const path = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`${name}: no ${key}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  if (query && typeof query === 'object')
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return { method, path: text ? `${path}?${text}` : path };
}

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | null,
  ) {}

  /** Sends one request; an answer other than 2xx becomes an ApiError. */
  private async send<N extends Endpoint>(name: N, request: Call<N>): Promise<Response> {
    const { method, path } = address(name, request.params, request.query);
    const headers: Record<string, string> = { ...request.headers };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
    } catch {
      throw new ApiError(0, 'network', 'The service cannot be reached. Check your connection and try again.');
    }
    if (!response.ok) {
      const text = await response.text();
      let problem: ProblemDocument = null;
      try {
        problem = text ? JSON.parse(text) : null;
      } catch {
        // Not a problem document (a proxy's page): the status says enough.
      }
      throw new ApiError(
        response.status,
        problem?.code ?? 'error',
        problem?.detail ?? `Request failed (${response.status}).`,
      );
    }
    return response;
  }

  /** Any route the console knows, typed by the route table (new views call their routes here). */
  async call<N extends Endpoint>(name: N, request: Call<N>): Promise<Answer<N>> {
    const text = await (await this.send(name, request)).text();
    // The API's answer is trusted to match its schema (the same one its OpenAPI shows).
    return (text ? JSON.parse(text) : null) as Answer<N>;
  }

  webhooks(tenantId: string) {
    return this.call('listWebhooks', { params: { tenantId } });
  }
  /** The answer carries the webhook's signing secret: shown once, never again. */
  addWebhook(tenantId: string, body: RequestBody<'addWebhook'>) {
    return this.call('addWebhook', { params: { tenantId }, body });
  }
  removeWebhook(tenantId: string, webhookId: string) {
    return this.call('removeWebhook', { params: { tenantId, webhookId } });
  }
  rotateWebhookSecret(tenantId: string, webhookId: string) {
    return this.call('rotateWebhookSecret', { params: { tenantId, webhookId } });
  }
  testWebhook(tenantId: string, webhookId: string) {
    return this.call('testWebhook', { params: { tenantId, webhookId } });
  }
  webhookDeliveries(tenantId: string, webhookId: string) {
    return this.call('listWebhookDeliveries', { params: { tenantId, webhookId }, query: { limit: '10' } });
  }
  contacts(tenantId: string) {
    return this.call('listContacts', { params: { tenantId } });
  }
  addContact(tenantId: string, body: RequestBody<'addContact'>) {
    return this.call('addContact', { params: { tenantId }, body });
  }
  removeContact(tenantId: string, contactId: string) {
    return this.call('removeContact', { params: { tenantId, contactId } });
  }
  activeGrant(tenantId: string) {
    return this.call('listGrants', { params: { tenantId }, query: { status: 'active', limit: '1' } });
  }
  /** The key makes a double submit or a retry after a dropped answer create nothing twice. */
  createGrant(tenantId: string, body: RequestBody<'createGrant'>, idempotencyKey: string) {
    return this.call('createGrant', {
      params: { tenantId },
      body,
      headers: { 'idempotency-key': idempotencyKey },
    });
  }
  changeDeadline(tenantId: string, grantId: string, body: RequestBody<'changeGrantDeadline'>) {
    return this.call('changeGrantDeadline', { params: { tenantId, grantId }, body });
  }
  revoke(tenantId: string, grantId: string) {
    return this.call('revokeGrant', { params: { tenantId, grantId } });
  }
  audit(tenantId: string, cursor?: string) {
    return this.call('listAudit', { params: { tenantId }, query: { limit: '20', cursor } });
  }
  endedGrants(tenantId: string) {
    return this.call('listGrants', { params: { tenantId }, query: { status: 'ended', limit: '10' } });
  }
  receipt(tenantId: string, grantId: string) {
    return this.call('grantReceipt', { params: { tenantId, grantId } });
  }
  /** The whole chained audit log as NDJSON, every page of the export joined. */
  async exportAudit(tenantId: string): Promise<string> {
    let text = '';
    let cursor: string | undefined;
    do {
      const response = await this.send('exportAudit', { params: { tenantId }, query: { cursor } });
      text += await response.text();
      cursor = response.headers.get('x-next-cursor') ?? undefined;
    } while (cursor);
    return text;
  }
  /** All tenants' active grants, soonest deadline first (support agents). */
  activeGrants(cursor?: string) {
    return this.call('listActiveGrants', { query: { limit: '20', cursor } });
  }
  /**
   * The link's token is the credential; for extend and confirm links the POST also carries the
   * contact's own sign-in (the Api is made with a token only for those).
   */
  viewLink(token: string) {
    return this.call('viewActionLink', { params: { token } });
  }
  /** A grant for end and extend links; an instruction's link answers with the instruction. */
  useLink(token: string) {
    return this.call('useActionLink', { params: { token } });
  }
  instructions(tenantId: string) {
    return this.call('listInstructions', { params: { tenantId }, query: { limit: '20' } });
  }
  requestInstruction(tenantId: string, body: RequestBody<'requestInstruction'>) {
    return this.call('requestInstruction', { params: { tenantId }, body });
  }
  decideInstruction(tenantId: string, instructionId: string, decision: 'confirm' | 'reject') {
    const route = decision === 'confirm' ? 'confirmInstruction' : 'rejectInstruction';
    return this.call(route, { params: { tenantId, instructionId } });
  }
  completeInstruction(tenantId: string, instructionId: string, note: string) {
    return this.call('completeInstruction', {
      params: { tenantId, instructionId },
      body: { note: note || null },
    });
  }
  confirmedInstructions() {
    return this.call('listConfirmedInstructions', { query: { status: 'confirmed', limit: '50' } });
  }
  access(tenantId: string) {
    return this.call('checkAccess', { params: { tenantId } });
  }
  verify(tenantId: string, body: RequestBody<'verifyCaller'>) {
    return this.call('verifyCaller', { params: { tenantId }, body });
  }
}
