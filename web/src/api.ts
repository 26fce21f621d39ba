/** The public API, and nothing else. Errors carry the problem document's detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

export interface Grant {
  grantId: string;
  tenantId: string;
  status: 'active' | 'revoked' | 'expired';
  reason: string;
  ticket: string | null;
  grantedBy: { contactId: string; name: string; email: string };
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
  endedBy: string | null;
  endReason: string | null;
}

export interface Contact {
  contactId: string;
  name: string;
  email: string;
  phone: string;
  locale: 'de' | 'en';
  timeZone: string;
  canGrantAccess: boolean;
  canInstruct: boolean;
}

export interface Instruction {
  instructionId: string;
  tenantId: string;
  kind: 'account-deletion' | 'data-export' | 'other';
  details: string;
  status: 'pending-confirmation' | 'confirmed' | 'rejected' | 'lapsed' | 'done';
  requestedBy: { contactId: string; name: string; email: string };
  confirmedBy: { name: string; email: string } | null;
  rejectedBy: { name: string; email: string } | null;
  createdAt: string;
  confirmBy: string | null;
  completedAt: string | null;
  completedBy: string | null;
  note: string | null;
}

/** What support did under a grant. */
export interface Receipt {
  grant: Grant;
  accessChecks: number;
  callerVerifications: number;
  agents: string[];
  activities: AuditEvent[];
  auditHead: string | null;
}

/** What an emailed one-click link would do (GET /actions/{token}). */
export interface LinkView {
  action: 'end' | 'extend' | 'confirm-instruction' | 'reject-instruction';
  extendBySeconds?: number;
  /** Extend and confirm links act only for their contact, signed in as themselves. */
  signInRequired: boolean;
  tenantId: string;
  grant?: Grant;
  instruction?: Instruction;
  contact: { name: string; email: string; locale: 'de' | 'en' };
}

export interface AuditEvent {
  eventId: string;
  at: string;
  type: string;
  actor: string;
  grantId: string | null;
  details: Record<string, unknown>;
}

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | null,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...extraHeaders };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'The service cannot be reached. Check your connection and try again.');
    }
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new ApiError(
        response.status,
        data?.code ?? 'error',
        data?.detail ?? `Request failed (${response.status}).`,
      );
    }
    return data as T;
  }

  contacts(tenant: string) {
    return this.request<{ contacts: Contact[]; warnings: string[] }>(
      'GET',
      `/tenants/${encodeURIComponent(tenant)}/contacts`,
    );
  }
  addContact(tenant: string, body: Record<string, unknown>) {
    return this.request<Contact>('POST', `/tenants/${encodeURIComponent(tenant)}/contacts`, body);
  }
  removeContact(tenant: string, contactId: string) {
    return this.request<null>(
      'DELETE',
      `/tenants/${encodeURIComponent(tenant)}/contacts/${encodeURIComponent(contactId)}`,
    );
  }
  activeGrant(tenant: string) {
    return this.request<{ grants: Grant[] }>(
      'GET',
      `/tenants/${encodeURIComponent(tenant)}/grants?status=active&limit=1`,
    );
  }
  /** The key makes a double submit or a retry after a dropped answer create nothing twice. */
  createGrant(tenant: string, body: Record<string, unknown>, idempotencyKey: string) {
    return this.request<Grant>('POST', `/tenants/${encodeURIComponent(tenant)}/grants`, body, {
      'idempotency-key': idempotencyKey,
    });
  }
  changeDeadline(tenant: string, grantId: string, body: Record<string, unknown>) {
    return this.request<Grant>(
      'PATCH',
      `/tenants/${encodeURIComponent(tenant)}/grants/${encodeURIComponent(grantId)}`,
      body,
    );
  }
  revoke(tenant: string, grantId: string) {
    return this.request<Grant>(
      'DELETE',
      `/tenants/${encodeURIComponent(tenant)}/grants/${encodeURIComponent(grantId)}`,
    );
  }
  audit(tenant: string, cursor?: string) {
    const query = `limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    return this.request<{ events: AuditEvent[]; nextCursor: string | null }>(
      'GET',
      `/tenants/${encodeURIComponent(tenant)}/audit?${query}`,
    );
  }
  endedGrants(tenant: string) {
    return this.request<{ grants: Grant[]; nextCursor: string | null }>(
      'GET',
      `/tenants/${encodeURIComponent(tenant)}/grants?status=ended&limit=10`,
    );
  }
  receipt(tenant: string, grantId: string) {
    return this.request<Receipt>(
      'GET',
      `/tenants/${encodeURIComponent(tenant)}/grants/${encodeURIComponent(grantId)}/receipt`,
    );
  }
  /** The whole chained audit log as NDJSON, every page of the export joined. */
  async exportAudit(tenant: string): Promise<string> {
    let text = '';
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      const response = await fetch(
        `${this.baseUrl}/tenants/${encodeURIComponent(tenant)}/audit/export${query}`,
        {
          headers: { authorization: `Bearer ${this.token() ?? ''}` },
        },
      );
      if (!response.ok) {
        const problem = await response.json().catch(() => null);
        throw new ApiError(
          response.status,
          problem?.code ?? 'error',
          problem?.detail ?? `Export failed (${response.status}).`,
        );
      }
      text += await response.text();
      cursor = response.headers.get('x-next-cursor');
    } while (cursor);
    return text;
  }
  /** All tenants' active grants, soonest deadline first (support agents). */
  activeGrants(cursor?: string) {
    const query = `limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    return this.request<{ grants: Grant[]; nextCursor: string | null }>('GET', `/access?${query}`);
  }
  /**
   * The link's token is the credential; for extend and confirm links the POST also carries the
   * contact's own sign-in (the Api is made with a token only for those).
   */
  viewLink(token: string) {
    return this.request<LinkView>('GET', `/actions/${encodeURIComponent(token)}`);
  }
  useLink(token: string) {
    return this.request<{ expiresAt?: string; status: string }>(
      'POST',
      `/actions/${encodeURIComponent(token)}`,
    );
  }
  instructions(tenant: string) {
    return this.request<{ instructions: Instruction[] }>(
      'GET',
      `/tenants/${encodeURIComponent(tenant)}/instructions?limit=20`,
    );
  }
  requestInstruction(tenant: string, body: { kind: string; details: string }) {
    return this.request<Instruction>('POST', `/tenants/${encodeURIComponent(tenant)}/instructions`, body);
  }
  decideInstruction(tenant: string, id: string, decision: 'confirm' | 'reject') {
    return this.request<Instruction>(
      'POST',
      `/tenants/${encodeURIComponent(tenant)}/instructions/${encodeURIComponent(id)}/${decision}`,
    );
  }
  completeInstruction(tenant: string, id: string, note: string) {
    return this.request<Instruction>(
      'POST',
      `/tenants/${encodeURIComponent(tenant)}/instructions/${encodeURIComponent(id)}/complete`,
      { note: note || null },
    );
  }
  confirmedInstructions() {
    return this.request<{ instructions: Instruction[]; nextCursor: string | null }>(
      'GET',
      '/instructions?status=confirmed&limit=50',
    );
  }
  access(tenant: string) {
    return this.request<{
      access: boolean;
      grant: { expiresAt: string; reason: string; ticket: string | null } | null;
      checkedAt: string;
    }>('GET', `/tenants/${encodeURIComponent(tenant)}/access`);
  }
  verify(tenant: string, body: { phone: string } | { email: string }) {
    return this.request<{
      authorized: boolean;
      contact: CallerSummary | null;
      matches: CallerSummary[];
    }>('POST', `/tenants/${encodeURIComponent(tenant)}/contacts/verify`, body);
  }
}

export interface CallerSummary {
  name: string;
  canGrantAccess: boolean;
  canInstruct: boolean;
}
