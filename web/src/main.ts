import {
  Api,
  ApiError,
  type AuditEvent,
  type CallerSummary,
  type Contact,
  type Grant,
  type Instruction,
  type LinkView,
  type Receipt,
} from './api.ts';
import {
  type ConsoleConfig,
  finishOidcSignIn,
  forgetSession,
  keepSession,
  loadConfig,
  type Session,
  sessionFrom,
  startOidcSignIn,
  storedSession,
} from './auth.ts';
import { field, h } from './dom.ts';
import {
  formatRemaining,
  formatTime,
  initialLanguage,
  type Language,
  saveLanguage,
  strings,
} from './i18n.ts';
import { integrationsCard } from './integrations.ts';

const PRESETS: Record<string, number> = {
  '1d': 86_400,
  '1w': 7 * 86_400,
  '2w': 14 * 86_400,
  '1m': 30 * 86_400,
  '4m': 120 * 86_400,
};

let language: Language = initialLanguage();
let t = strings(language);
let config: ConsoleConfig;
let session: Session | null = null;
let api: Api;
const timers: number[] = [];
/** The token of an emailed link when the console shows its page (/act). */
let actToken: string | null = null;
/**
 * An emailed link's token while its page is open or its contact signs in for it: in
 * sessionStorage (this tab only), never in an address a server sees.
 */
const LINK_KEY = 'support-access.link';
let languageChosen = false;

const app = document.getElementById('app') as HTMLElement;
const errorBox = document.getElementById('error') as HTMLElement;

function showError(error: unknown): void {
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

/** Runs an action, showing any failure as the API's own detail; never a blank screen. */
async function attempt(action: () => Promise<void>): Promise<void> {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}

function time(iso: string): HTMLTimeElement {
  const { text, utc } = formatTime(iso, language);
  return h('time', { datetime: iso, title: utc }, text);
}

function card(title: string, ...children: (Node | null | false)[]): HTMLElement {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), ...children);
}

// ---- header ------------------------------------------------------------------------------------

function renderHeader(): void {
  document.documentElement.lang = language;
  (document.getElementById('title') as HTMLElement).textContent = t.title;
  document.title = t.title;
  (document.getElementById('language-label') as HTMLElement).textContent = t.language;
  const who = document.getElementById('who') as HTMLElement;
  who.textContent = session ? t.signedInAs(session.email) : '';
  const signOut = document.getElementById('sign-out') as HTMLButtonElement;
  signOut.textContent = t.signOut;
  signOut.hidden = !session;
}

// ---- sign-in -----------------------------------------------------------------------------------

async function renderSignIn(): Promise<void> {
  if (config.auth.mode !== 'oidc') {
    app.replaceChildren(card(t.signIn, h('p', { role: 'alert' }, t.noSignIn)));
    return;
  }
  const auth = config.auth;
  app.replaceChildren(
    card(t.signIn, h('button', { type: 'button', onclick: () => void startOidcSignIn(auth) }, t.signIn)),
  );
}

// ---- tenant view -------------------------------------------------------------------------------

async function contactsCard(tenant: string, contacts: Contact[], warnings: string[]): Promise<HTMLElement> {
  const name = h('input', { required: true, maxlength: 200, autocomplete: 'name' });
  const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
  const phone = h('input', { type: 'tel', required: true, autocomplete: 'tel' });
  const locale = h(
    'select',
    {},
    h('option', { value: 'de' }, 'Deutsch'),
    h('option', { value: 'en' }, 'English'),
  );
  const timeZone = h('input', {
    value: 'Europe/Berlin',
    list: 'time-zones',
    autocomplete: 'off',
    required: true,
  });
  const zones = h(
    'datalist',
    { id: 'time-zones' },
    ...Intl.supportedValuesOf('timeZone').map((zone) => h('option', { value: zone })),
  );
  const canGrant = h('input', { type: 'checkbox', checked: true });
  const canInstruct = h('input', { type: 'checkbox', checked: true });
  const form = h(
    'form',
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        void attempt(async () => {
          await api.addContact(tenant, {
            name: name.value,
            email: email.value,
            phone: phone.value,
            locale: locale.value,
            timeZone: timeZone.value.trim(),
            canGrantAccess: canGrant.checked,
            canInstruct: canInstruct.checked,
          });
          await render();
        });
      },
    },
    h(
      'div',
      { class: 'row' },
      field(t.name, name),
      field(t.email, email),
      field(t.phone, phone),
      field(t.language, locale),
      field(t.timeZone, timeZone),
      zones,
    ),
    h(
      'div',
      { class: 'row' },
      field(t.canGrant, canGrant),
      field(t.canInstruct, canInstruct),
      h('button', { type: 'submit' }, t.add),
    ),
  );
  return card(
    t.contacts,
    warnings.length > 0 && h('p', { class: 'warning', role: 'status' }, t.fewContacts),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[t.name, t.email, t.phone, t.language, t.timeZone, t.canGrant, t.canInstruct, ''].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...contacts.map((c) =>
          h(
            'tr',
            {},
            h('td', {}, c.name),
            h('td', {}, c.email),
            h('td', {}, c.phone),
            h('td', {}, c.locale),
            h('td', {}, c.timeZone),
            h('td', {}, c.canGrantAccess ? t.yes : t.no),
            h('td', {}, c.canInstruct ? t.yes : t.no),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'aria-label': `${t.remove} ${c.name}`,
                  onclick: () =>
                    void attempt(async () => {
                      if (!confirm(t.confirmRemove(c.name))) return;
                      await api.removeContact(tenant, c.contactId);
                      await render();
                    }),
                },
                t.remove,
              ),
            ),
          ),
        ),
      ),
    ),
    form,
  );
}

/** Duration presets and a custom date; returns a body with durationSeconds or expiresAt. */
function deadlinePicker(): { element: HTMLElement; value: () => Record<string, unknown> } {
  const preset = h(
    'select',
    {},
    ...Object.entries(t.presets).map(([value, label]) => h('option', { value }, label)),
  );
  const until = h('input', { type: 'datetime-local', disabled: true });
  preset.addEventListener('change', () => {
    until.disabled = preset.value !== 'custom';
  });
  return {
    element: h('div', { class: 'row' }, field(t.duration, preset), field(t.until, until)),
    value: () => {
      if (preset.value === 'custom') {
        if (!until.value) throw new Error(t.until);
        return { expiresAt: new Date(until.value).toISOString() };
      }
      return { durationSeconds: PRESETS[preset.value] };
    },
  };
}

function currentAccessCard(tenant: string, grant: Grant | null): HTMLElement {
  if (!grant) {
    const picker = deadlinePicker();
    const reason = h('input', { required: true, maxlength: 500 });
    const ticket = h('input', { maxlength: 100 });
    const key = crypto.randomUUID();
    const form = h(
      'form',
      {
        'aria-label': t.grantAccess,
        onsubmit: (event: Event) => {
          event.preventDefault();
          void attempt(async () => {
            await api.createGrant(
              tenant,
              { reason: reason.value, ticket: ticket.value.trim() || null, ...picker.value() },
              key,
            );
            await render();
          });
        },
      },
      h('h3', {}, t.grantAccess),
      picker.element,
      h('div', { class: 'row' }, field(t.reason, reason), field(`${t.ticket} ${t.optional}`, ticket)),
      h('div', {}, h('button', { type: 'submit' }, t.grant)),
    );
    return card(
      t.currentAccess,
      h('p', { class: 'status none', 'data-testid': 'access-status' }, t.noAccess),
      form,
    );
  }
  const countdown = h('span', { class: 'countdown', 'data-testid': 'countdown', 'aria-live': 'off' });
  const deadline = Date.parse(grant.expiresAt);
  const tick = () => {
    const left = deadline - Date.now();
    countdown.textContent = formatRemaining(left);
    if (left <= 0) void render();
  };
  tick();
  timers.push(window.setInterval(tick, 1000));
  const picker = deadlinePicker();
  const extend = h(
    'form',
    {
      'aria-label': t.extend,
      onsubmit: (event: Event) => {
        event.preventDefault();
        void attempt(async () => {
          await api.changeDeadline(tenant, grant.grantId, picker.value());
          await render();
        });
      },
    },
    h('h3', {}, t.extendBy),
    picker.element,
    h('div', {}, h('button', { type: 'submit' }, t.extend)),
  );
  return card(
    t.currentAccess,
    h('p', { class: 'status active', 'data-testid': 'access-status' }, t.active),
    h(
      'dl',
      {},
      h('dt', {}, t.remaining),
      h('dd', {}, countdown),
      h('dt', {}, t.deadline),
      h('dd', { 'data-testid': 'deadline' }, time(grant.expiresAt)),
      h('dt', {}, t.grantedBy),
      h('dd', {}, `${grant.grantedBy.name} <${grant.grantedBy.email}>`),
      h('dt', {}, t.reason),
      h('dd', {}, grant.reason),
      h('dt', {}, t.ticket),
      h('dd', {}, grant.ticket ?? '—'),
    ),
    extend,
    h(
      'p',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: () =>
            void attempt(async () => {
              if (!confirm(t.confirmEnd)) return;
              await api.revoke(tenant, grant.grantId);
              await render();
            }),
        },
        t.endNow,
      ),
    ),
  );
}

/** An audit event as a sentence in the reader's language ("Anna Schmidt extended access until …"). */
function describe(event: AuditEvent, names: Map<string, string>): string {
  const d = event.details;
  const who = names.get(event.actor.toLowerCase()) ?? (event.actor === 'system' ? '—' : event.actor);
  const at = (iso: unknown) => (typeof iso === 'string' ? formatTime(iso, language).text : '—');
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const via = d.channel === 'email-link' ? t.says.viaLink : '';
  switch (event.type) {
    case 'contact.added':
      return t.says['contact.added'](who, text(d.name));
    case 'contact.removed':
      return t.says['contact.removed'](who, text(d.name));
    case 'grant.created':
      return t.says['grant.created'](who, at(d.expiresAt), text(d.reason));
    case 'grant.extended':
      return t.says['grant.extended'](who, at(d.expiresAt)) + via;
    case 'grant.expiring':
      return t.says['grant.expiring'](at(d.expiresAt));
    case 'grant.revoked':
      return d.endReason === 'contact-removed'
        ? t.says['grant.revokedRemoved']
        : t.says['grant.revoked'](who) + via;
    case 'grant.expired':
      return t.says['grant.expired'](at(d.expiresAt));
    case 'access.checked':
      return t.says['access.checked'](who, d.access === true);
    case 'contact.verified':
      return t.says['contact.verified'](who, d.authorized === true);
    case 'instruction.requested':
    case 'instruction.confirmed':
    case 'instruction.rejected':
    case 'instruction.lapsed':
    case 'instruction.completed':
      return t.says[event.type](who, t.kinds[text(d.kind)] ?? text(d.kind));
    case 'support.activity':
      return t.says['support.activity'](
        who,
        [text(d.action), d.target ? `(${text(d.target)})` : ''].filter(Boolean).join(' '),
      );
    case 'notification.sent':
      return t.says['notification.sent'](names.get(text(d.recipient).toLowerCase()) ?? text(d.recipient));
    case 'notification.failed':
      return t.says['notification.failed'](names.get(text(d.recipient).toLowerCase()) ?? text(d.recipient));
    default:
      return event.type;
  }
}

/** Mails that went out: many lines for one act, so they wait behind a toggle (failures never do). */
const DELIVERY = 'notification.sent';

function auditCard(tenant: string, names: Map<string, string>): HTMLElement {
  const body = h('tbody', {});
  const older = h('button', { type: 'button', class: 'secondary', hidden: true }, t.older);
  const newest = h('button', { type: 'button', class: 'secondary', hidden: true }, t.newest);
  let showDeliveries = false;
  const deliveries = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' });
  const showOrHideDeliveries = () => {
    const rows = [...body.querySelectorAll<HTMLTableRowElement>(`tr[data-type="${DELIVERY}"]`)];
    for (const row of rows) row.hidden = !showDeliveries;
    deliveries.textContent = showDeliveries ? t.hideDeliveries : t.showDeliveries(rows.length);
    deliveries.setAttribute('aria-pressed', String(showDeliveries));
    deliveries.hidden = rows.length === 0;
  };
  deliveries.onclick = () => {
    showDeliveries = !showDeliveries;
    showOrHideDeliveries();
  };
  const load = async (cursor?: string) => {
    const page = await api.audit(tenant, cursor);
    body.replaceChildren(
      ...(page.events.length === 0 ? [h('tr', {}, h('td', { colspan: 3 }, t.noEvents))] : []),
      ...page.events.map((e) =>
        h(
          'tr',
          { 'data-type': e.type },
          h('td', {}, time(e.at)),
          h('td', { class: 'sentence' }, describe(e, names)),
          h('td', { class: 'muted' }, e.type),
        ),
      ),
    );
    showOrHideDeliveries();
    older.hidden = !page.nextCursor;
    older.onclick = () => void attempt(() => load(page.nextCursor ?? undefined));
    newest.hidden = !cursor;
  };
  newest.onclick = () => void attempt(() => load());
  void attempt(() => load());
  const downloaded = h('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'download-result' });
  const download = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () =>
        void attempt(async () => {
          const text = await api.exportAudit(tenant);
          const lines = text.split('\n').filter(Boolean);
          const head = lines.length ? (JSON.parse(lines[lines.length - 1] as string).hash as string) : '—';
          const link = h('a', {
            href: URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' })),
            download: `audit-${tenant}.ndjson`,
          });
          link.click();
          URL.revokeObjectURL(link.href);
          downloaded.textContent = t.downloaded(lines.length, head);
        }),
    },
    t.download,
  );
  return card(
    t.audit,
    h('div', { class: 'row' }, download, deliveries),
    downloaded,
    h(
      'table',
      { 'data-testid': 'audit' },
      h('thead', {}, h('tr', {}, ...[t.when, t.details, t.event].map((c) => h('th', { scope: 'col' }, c)))),
      body,
    ),
    h('div', { class: 'row' }, newest, older),
  );
}

/** A grant's receipt: what support did under it, and the audit head to keep. */
function receiptView(receipt: Receipt): HTMLElement {
  return h(
    'div',
    { class: 'receipt', 'data-testid': 'receipt' },
    h('h3', {}, t.receiptTitle(receipt.grant.reason)),
    h(
      'dl',
      {},
      h('dt', {}, t.accessChecks),
      h('dd', { 'data-testid': 'receipt-checks' }, String(receipt.accessChecks)),
      h('dt', {}, t.callerVerifications),
      h('dd', {}, String(receipt.callerVerifications)),
      h('dt', {}, t.agents),
      h('dd', {}, receipt.agents.join(', ') || '—'),
      h('dt', {}, t.auditHead),
      h('dd', {}, h('code', {}, receipt.auditHead ?? '—')),
    ),
    h('h4', {}, t.activities),
    receipt.activities.length === 0
      ? h('p', { class: 'muted' }, t.noActivities)
      : h('ul', {}, ...receipt.activities.map((e) => h('li', {}, time(e.at), ' ', describe(e, new Map())))),
  );
}

/** Ended grants, each with its receipt one click away (or opened at once from an email's link). */
async function pastGrantsCard(tenant: string, open: string | null): Promise<HTMLElement> {
  const ended = await api.endedGrants(tenant);
  const shown = h('div', { 'aria-live': 'polite' });
  const show = (grantId: string) =>
    attempt(async () => {
      shown.replaceChildren(receiptView(await api.receipt(tenant, grantId)));
    });
  if (open) void show(open);
  return card(
    t.pastGrants,
    ended.grants.length === 0
      ? h('p', { class: 'muted' }, t.noPastGrants)
      : h(
          'table',
          { 'data-testid': 'past-grants' },
          h(
            'thead',
            {},
            h('tr', {}, ...[t.reason, t.ended, t.grantedBy, ''].map((c) => h('th', { scope: 'col' }, c))),
          ),
          h(
            'tbody',
            {},
            ...ended.grants.map((g) =>
              h(
                'tr',
                { 'data-grant': g.grantId },
                h('td', {}, g.reason),
                h('td', {}, g.endedAt ? time(g.endedAt) : '—'),
                h('td', {}, g.grantedBy.name),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    { type: 'button', class: 'secondary', onclick: () => void show(g.grantId) },
                    t.receipt,
                  ),
                ),
              ),
            ),
          ),
        ),
    shown,
  );
}

/** The receipt an email's link asked for (`?receipt=<grantId>`), kept across the sign-in. */
const RECEIPT_KEY = 'support-access.receipt';
function pendingReceipt(): string | null {
  const asked = new URLSearchParams(location.search).get('receipt');
  if (asked) sessionStorage.setItem(RECEIPT_KEY, asked);
  return sessionStorage.getItem(RECEIPT_KEY);
}

async function renderTenant(tenant: string, isAdmin: boolean): Promise<void> {
  const parts: HTMLElement[] = [];
  const active = await api.activeGrant(tenant);
  parts.push(currentAccessCard(tenant, active.grants[0] ?? null));
  const receipt = pendingReceipt();
  sessionStorage.removeItem(RECEIPT_KEY);
  parts.push(await pastGrantsCard(tenant, receipt));
  parts.push(await instructionsCard(tenant));
  if (isAdmin) {
    const { contacts, warnings } = await api.contacts(tenant);
    // The audit log names people, not addresses, wherever it knows them.
    const names = new Map(contacts.map((c) => [c.email.toLowerCase(), c.name]));
    parts.push(await contactsCard(tenant, contacts, warnings));
    parts.push(auditCard(tenant, names));
    parts.push(integrationsCard(tenant, api, language));
  }
  app.replaceChildren(...parts);
}

// ---- support view ------------------------------------------------------------------------------

function renderSupport(): void {
  const tenant = h('input', { required: true, autocomplete: 'off' });
  const answer = h('div', { 'aria-live': 'polite', 'data-testid': 'access-answer' });
  const check = h(
    'form',
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        void attempt(async () => {
          const result = await api.access(tenant.value.trim());
          answer.replaceChildren(
            h(
              'p',
              { class: `big-answer ${result.access ? 'yes' : 'no'}` },
              result.access ? t.accessYes : t.accessNo,
            ),
            result.grant
              ? h(
                  'p',
                  {},
                  `${t.deadline}: `,
                  time(result.grant.expiresAt),
                  ` · ${t.reason}: ${result.grant.reason}`,
                )
              : h('p', { class: 'muted' }, `${formatTime(result.checkedAt, language).text}`),
          );
        });
      },
    },
    h('div', { class: 'row' }, field(t.tenant, tenant), h('button', { type: 'submit' }, t.check)),
  );
  const verifyTenant = h('input', { required: true, autocomplete: 'off' });
  const who = h('input', { required: true, autocomplete: 'off' });
  const verdict = h('div', { 'aria-live': 'polite', 'data-testid': 'verify-answer' });
  const verify = h(
    'form',
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        void attempt(async () => {
          const value = who.value.trim();
          const result = await api.verify(
            verifyTenant.value.trim(),
            value.includes('@') ? { email: value } : { phone: value },
          );
          const rights = (c: CallerSummary) =>
            `${t.canGrant}: ${c.canGrantAccess ? t.yes : t.no} · ${t.canInstruct}: ${c.canInstruct ? t.yes : t.no}`;
          verdict.replaceChildren(
            result.contact
              ? h(
                  'p',
                  { class: 'big-answer yes' },
                  `${t.authorized(result.contact.name)} ${rights(result.contact)}`,
                )
              : result.matches.length > 1
                ? h(
                    'div',
                    { class: 'big-answer ask' },
                    h('p', {}, t.sharedNumber(result.matches.length)),
                    h('ul', {}, ...result.matches.map((c) => h('li', {}, `${c.name} — ${rights(c)}`))),
                  )
                : h('p', { class: 'big-answer no' }, t.notAuthorized),
          );
        });
      },
    },
    h(
      'div',
      { class: 'row' },
      field(t.tenant, verifyTenant),
      field(t.verifyBy, who),
      h('button', { type: 'submit' }, t.verifyButton),
    ),
  );
  app.replaceChildren(
    card(t.lookUp, check, answer),
    activeGrantsCard(),
    card(t.verify, verify, verdict),
    instructionQueueCard(),
  );
}

/** Every tenant's active grant, soonest end first, each with a live countdown and its own check. */
function activeGrantsCard(): HTMLElement {
  const body = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t.more);
  const countdowns: { element: HTMLElement; deadline: number }[] = [];
  const tick = () => {
    for (const c of countdowns) c.element.textContent = formatRemaining(c.deadline - Date.now());
  };
  timers.push(window.setInterval(tick, 1000));
  const row = (g: Grant) => {
    const countdown = h('span', { class: 'countdown', 'data-testid': 'row-countdown' });
    countdowns.push({ element: countdown, deadline: Date.parse(g.expiresAt) });
    const verdict = h('span', { 'aria-live': 'polite', 'data-testid': 'row-answer' });
    const check = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': `${t.check} ${g.tenantId}`,
        onclick: () =>
          void attempt(async () => {
            const result = await api.access(g.tenantId);
            verdict.className = `answer ${result.access ? 'yes' : 'no'}`;
            verdict.textContent = result.access ? t.accessYes : t.accessNo;
          }),
      },
      t.check,
    );
    return h(
      'tr',
      { 'data-tenant': g.tenantId },
      h('td', {}, g.tenantId),
      h('td', {}, g.reason),
      h('td', {}, g.ticket ?? '—'),
      h('td', {}, time(g.expiresAt)),
      h('td', {}, countdown),
      h('td', {}, check, ' ', verdict),
    );
  };
  const load = async (cursor?: string) => {
    const page = await api.activeGrants(cursor);
    if (!cursor && page.grants.length === 0)
      body.replaceChildren(h('tr', {}, h('td', { colspan: 6 }, t.noActiveGrants)));
    else body.append(...page.grants.map(row));
    tick();
    more.hidden = !page.nextCursor;
    more.onclick = () => void attempt(() => load(page.nextCursor ?? undefined));
  };
  void attempt(() => load());
  return card(
    t.activeGrants,
    h(
      'table',
      { 'data-testid': 'active-grants' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[t.tenant, t.reason, t.ticket, t.ends, t.remaining, ''].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
    h('div', { class: 'row' }, more),
  );
}

// ---- the page of an emailed link ----------------------------------------------------------------

/**
 * /act#<token>: says what the link will do, in its contact's language, and does it only once
 * they confirm. Opening the page changes nothing (mail scanners open links too). Links that give
 * support more access (extend, confirm) first have the contact sign in as themselves.
 */
async function renderAct(token: string): Promise<void> {
  let view: LinkView;
  // The contact's sign-in goes only with links that need it; end and reject stay one click.
  const links = new Api(config.apiUrl, () => (view?.signInRequired ? (session?.token ?? null) : null));
  try {
    view = await links.viewLink(token);
  } catch (error) {
    app.replaceChildren(
      card(t.actTitle, h('p', { class: 'big-answer no', 'data-testid': 'act-result' }, linkProblem(error))),
    );
    return;
  }
  // In the contact's language, unless they chose another on this page.
  if (!languageChosen) {
    language = view.contact.locale;
    (document.getElementById('language') as HTMLSelectElement).value = language;
  }
  t = strings(language);
  renderHeader();
  if (view.instruction) return renderInstructionLink(links, token, view, view.instruction);
  const { tenantId } = view;
  const grant = view.grant as Grant;
  const active = grant.status === 'active';
  const by = view.extendBySeconds ?? 0;
  const newDeadline = new Date(Date.parse(grant.expiresAt) + by * 1000).toISOString();
  const question =
    view.action === 'end'
      ? t.actEnd(tenantId)
      : t.actExtend(
          tenantId,
          by === 86_400 ? t.oneDay : by === 7 * 86_400 ? t.oneWeek : t.days(Math.round(by / 86_400)),
        );
  const result = h('div', { 'aria-live': 'polite', 'data-testid': 'act-result' });
  const confirmButton = h(
    'button',
    {
      type: 'button',
      class: view.action === 'end' ? 'danger' : '',
      'data-testid': 'act-confirm',
      onclick: () =>
        void (async () => {
          confirmButton.disabled = true;
          try {
            const after = await links.useLink(token);
            sessionStorage.removeItem(LINK_KEY);
            result.replaceChildren(
              h('p', { class: 'big-answer yes' }, view.action === 'end' ? t.actEnded : t.actExtended),
              h('p', {}, `${t.deadline}: `, time(after.expiresAt ?? grant.expiresAt)),
            );
            confirmButton.hidden = true;
          } catch (error) {
            result.replaceChildren(h('p', { class: 'big-answer no' }, linkProblem(error)));
            if (error instanceof ApiError && error.code === 'unauthenticated') signedOut();
          }
        })(),
    },
    view.action === 'end' ? t.actConfirmEnd : t.actConfirmExtend,
  );
  const details = h(
    'dl',
    {},
    h('dt', {}, t.reason),
    h('dd', {}, grant.reason),
    h('dt', {}, t.grantedBy),
    h('dd', {}, `${grant.grantedBy.name} <${grant.grantedBy.email}>`),
    h('dt', {}, t.deadline),
    h('dd', {}, time(grant.expiresAt)),
    ...(view.action === 'extend' && active
      ? [h('dt', {}, t.actNewDeadline), h('dd', {}, `≈ `, time(newDeadline))]
      : []),
  );
  app.replaceChildren(
    card(
      t.actTitle,
      h(
        'p',
        { class: 'act-question', 'data-testid': 'act-question' },
        active ? question : view.action === 'end' ? t.actAlreadyEnded : t.actCannotExtend,
      ),
      details,
      h('p', { class: 'muted' }, t.actAs(view.contact.name, view.contact.email)),
      active ? (signInGate(view) ?? h('p', {}, confirmButton)) : null,
      result,
    ),
  );
}

/**
 * For a link that needs its person: the way to sign in as them, when nobody or somebody else is
 * signed in; null when the contact is (the API checks again). The link's token stays in
 * sessionStorage across the sign-in, which returns to this page.
 */
function signInGate(view: LinkView): HTMLElement | null {
  if (!view.signInRequired) return null;
  const contact = view.contact.email;
  if (session && session.email.toLowerCase() === contact.toLowerCase()) return null;
  if (config.auth.mode !== 'oidc') return h('p', { role: 'alert' }, t.noSignIn);
  const auth = config.auth;
  const signIn = () => {
    forgetSession();
    session = null;
    void startOidcSignIn(auth);
  };
  return h(
    'div',
    { 'data-testid': 'act-sign-in' },
    h('p', {}, session ? t.actWrongPerson(session.email, contact) : t.actSignInFirst(contact)),
    h(
      'p',
      {},
      h('button', { type: 'button', onclick: signIn }, session ? t.actSignInOther(contact) : t.actSignIn),
    ),
  );
}

/** The session the API refused (expired, revoked): forgotten, so the link's page asks for a sign-in again. */
function signedOut(): void {
  forgetSession();
  session = null;
  void render();
}

/** The page of a Confirm or Reject link in an instruction's email. */
function renderInstructionLink(links: Api, token: string, view: LinkView, instruction: Instruction): void {
  const confirming = view.action === 'confirm-instruction';
  const kind = t.kinds[instruction.kind] ?? instruction.kind;
  const pending = instruction.status === 'pending-confirmation';
  const result = h('div', { 'aria-live': 'polite', 'data-testid': 'act-result' });
  const button = h(
    'button',
    {
      type: 'button',
      class: confirming ? '' : 'danger',
      'data-testid': 'act-confirm',
      onclick: () =>
        void (async () => {
          button.disabled = true;
          try {
            await links.useLink(token);
            sessionStorage.removeItem(LINK_KEY);
            result.replaceChildren(
              h('p', { class: 'big-answer yes' }, confirming ? t.actConfirmed : t.actRejected),
            );
            button.hidden = true;
          } catch (error) {
            result.replaceChildren(h('p', { class: 'big-answer no' }, linkProblem(error)));
            if (error instanceof ApiError && error.code === 'unauthenticated') signedOut();
          }
        })(),
    },
    confirming ? t.actConfirmButton : t.actRejectButton,
  );
  app.replaceChildren(
    card(
      t.actTitle,
      h(
        'p',
        { class: 'act-question', 'data-testid': 'act-question' },
        pending
          ? confirming
            ? t.actConfirmInstruction(view.tenantId, kind)
            : t.actRejectInstruction(view.tenantId, kind)
          : t.actNotPending,
      ),
      h(
        'dl',
        {},
        h('dt', {}, t.instructionDetails),
        h('dd', {}, instruction.details),
        h('dt', {}, t.requestedByLabel),
        h('dd', {}, `${instruction.requestedBy.name} <${instruction.requestedBy.email}>`),
        ...(instruction.confirmBy
          ? [h('dt', {}, t.confirmBy), h('dd', {}, time(instruction.confirmBy))]
          : []),
      ),
      h('p', { class: 'muted' }, t.actAs(view.contact.name, view.contact.email)),
      pending ? (signInGate(view) ?? h('p', {}, button)) : null,
      result,
    ),
  );
}

/** A tenant's instructions: give one, see where each stands, confirm or reject pending ones. */
async function instructionsCard(tenant: string): Promise<HTMLElement> {
  const { instructions } = await api.instructions(tenant);
  const kind = h(
    'select',
    {},
    ...Object.entries(t.kinds).map(([value, label]) => h('option', { value }, label)),
  );
  const details = h('textarea', { required: true, maxlength: 2000, rows: 2 });
  const form = h(
    'form',
    {
      'aria-label': t.giveInstruction,
      onsubmit: (event: Event) => {
        event.preventDefault();
        void attempt(async () => {
          await api.requestInstruction(tenant, { kind: kind.value, details: details.value });
          await render();
        });
      },
    },
    h('h3', {}, t.giveInstruction),
    h('div', { class: 'row' }, field(t.kind, kind), field(t.instructionDetails, details)),
    h('div', {}, h('button', { type: 'submit' }, t.giveInstruction)),
  );
  const decide = (i: Instruction, decision: 'confirm' | 'reject') =>
    h(
      'button',
      {
        type: 'button',
        class: decision === 'confirm' ? 'secondary' : 'danger',
        onclick: () =>
          void attempt(async () => {
            await api.decideInstruction(tenant, i.instructionId, decision);
            await render();
          }),
      },
      decision === 'confirm' ? t.confirm : t.reject,
    );
  return card(
    t.instructions,
    instructions.length === 0
      ? h('p', { class: 'muted' }, t.noInstructions)
      : h(
          'table',
          { 'data-testid': 'instructions' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[t.kind, t.instructionDetails, t.requestedByLabel, t.status, ''].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...instructions.map((i) =>
              h(
                'tr',
                { 'data-instruction': i.instructionId, 'data-status': i.status },
                h('td', {}, t.kinds[i.kind] ?? i.kind),
                h('td', {}, i.details),
                h('td', {}, i.requestedBy.name),
                h(
                  'td',
                  {},
                  t.statuses[i.status] ?? i.status,
                  ...(i.confirmBy && i.status === 'pending-confirmation' ? [' · ', time(i.confirmBy)] : []),
                ),
                h(
                  'td',
                  {},
                  ...(i.status === 'pending-confirmation'
                    ? [decide(i, 'confirm'), ' ', decide(i, 'reject')]
                    : []),
                ),
              ),
            ),
          ),
        ),
    form,
  );
}

/** The agents' queue: confirmed instructions of every tenant, each marked done with a note. */
function instructionQueueCard(): HTMLElement {
  const body = h('tbody', {});
  const load = async () => {
    const { instructions } = await api.confirmedInstructions();
    body.replaceChildren(
      ...(instructions.length === 0 ? [h('tr', {}, h('td', { colspan: 5 }, t.noQueue))] : []),
      ...instructions.map((i) => {
        const note = h('input', { maxlength: 2000, 'aria-label': `${t.note} ${i.tenantId}` });
        return h(
          'tr',
          { 'data-instruction': i.instructionId },
          h('td', {}, i.tenantId),
          h('td', {}, t.kinds[i.kind] ?? i.kind),
          h('td', {}, i.details),
          h('td', {}, `${i.requestedBy.name}${i.confirmedBy ? ` + ${i.confirmedBy.name}` : ''}`),
          h(
            'td',
            {},
            note,
            ' ',
            h(
              'button',
              {
                type: 'button',
                onclick: () =>
                  void attempt(async () => {
                    await api.completeInstruction(i.tenantId, i.instructionId, note.value.trim());
                    await load();
                  }),
              },
              t.markDone,
            ),
          ),
        );
      }),
    );
  };
  void attempt(load);
  return card(
    t.queue,
    h(
      'table',
      { 'data-testid': 'instruction-queue' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[t.tenant, t.kind, t.instructionDetails, t.requestedByLabel, t.note].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      body,
    ),
  );
}

function linkProblem(error: unknown): string {
  if (error instanceof ApiError) return t.linkProblems[error.code] ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

// ---- main --------------------------------------------------------------------------------------

let rendering: Promise<void> = Promise.resolve();

/**
 * Renders the current state. Renders run one after another: a render still waiting for the API
 * (say, of the page as it was before "Sign out") must not finish after a newer one, overwrite it
 * and leave its timers running.
 */
function render(): Promise<void> {
  rendering = rendering.then(renderNow, renderNow);
  return rendering;
}

async function renderNow(): Promise<void> {
  for (const timer of timers.splice(0)) clearInterval(timer);
  t = strings(language);
  renderHeader();
  await attempt(async () => {
    if (actToken) return renderAct(actToken);
    if (!session) return renderSignIn();
    if (session.tenantId) return renderTenant(session.tenantId, session.roles.includes('tenant-admin'));
    if (session.roles.includes('support-agent')) return renderSupport();
    app.replaceChildren(card(t.title, h('p', {}, 'This account has no role in this console.')));
  });
}

async function main(): Promise<void> {
  const select = document.getElementById('language') as HTMLSelectElement;
  select.value = language;
  select.addEventListener('change', () => {
    language = select.value === 'de' ? 'de' : 'en';
    languageChosen = true;
    saveLanguage(language);
    void render();
  });
  (document.getElementById('sign-out') as HTMLButtonElement).addEventListener('click', () => {
    forgetSession();
    session = null;
    void render();
  });
  // Before anything else: an emailed link's token leaves the address bar and history.
  const link = takeLinkToken();
  // Another link opened in this tab while it shows /act changes only the fragment: no reload.
  window.addEventListener('hashchange', () => {
    const next = location.pathname === '/act' && location.hash.length > 1 ? takeLinkToken() : null;
    if (!next || !config) return;
    actToken = next;
    void render();
  });
  // An email's "full receipt" link: remember it, the sign-in may come first.
  pendingReceipt();
  try {
    config = await loadConfig();
    api = new Api(config.apiUrl, () => session?.token ?? null);
    session = storedSession(config);
    if (session) keepSession(session);
    if (!session && config.auth.mode === 'oidc') {
      const token = await finishOidcSignIn(config.auth);
      const next = token ? sessionFrom(token, config) : null;
      if (next) {
        session = next;
        keepSession(next);
      }
    }
    if (link) {
      actToken = link;
      // Back from a sign-in for the link: its page again (the token stays out of the address).
      if (location.pathname !== '/act') history.replaceState(null, '', '/act');
    }
  } catch (error) {
    showError(error);
    return;
  }
  await render();
}

/**
 * The token of the emailed link this page is for, if any. Links carry it in the fragment
 * (`/act#<token>`), which browsers never send; it is read and the address replaced at once, so
 * the address bar, the history and any later request show `/act` only. Links mailed before
 * (`/act/<token>`) are taken the same way, off the path, before anything else. While the page
 * is open, and across the contact's sign-in (which returns to `/` with a code), it is kept in
 * sessionStorage (this tab only); opening the console itself forgets it.
 */
function takeLinkToken(): string | null {
  const legacy = /^\/act\/([^/]+)$/.exec(location.pathname)?.[1];
  if (legacy !== undefined || location.pathname === '/act') {
    const carried = legacy ?? location.hash.slice(1);
    if (carried) {
      let token = carried;
      try {
        token = decodeURIComponent(carried);
      } catch {
        // Not percent-encoded after all: the API answers 404 for a token it does not know.
      }
      sessionStorage.setItem(LINK_KEY, token);
    }
    const token = sessionStorage.getItem(LINK_KEY);
    history.replaceState(null, '', token ? '/act' : '/');
    return token;
  }
  if (new URLSearchParams(location.search).has('code')) return sessionStorage.getItem(LINK_KEY);
  sessionStorage.removeItem(LINK_KEY);
  return null;
}

void main();
