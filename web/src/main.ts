import { Api, ApiError, type AuditEvent, type CallerSummary, type Grant } from './api.ts';
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

async function contactsCard(tenant: string): Promise<HTMLElement> {
  const { contacts, warnings } = await api.contacts(tenant);
  const name = h('input', { required: true, maxlength: 200, autocomplete: 'name' });
  const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
  const phone = h('input', { type: 'tel', required: true, autocomplete: 'tel' });
  const locale = h(
    'select',
    {},
    h('option', { value: 'de' }, 'Deutsch'),
    h('option', { value: 'en' }, 'English'),
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
          ...[t.name, t.email, t.phone, t.language, t.canGrant, t.canInstruct, ''].map((c) =>
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

function describe(event: AuditEvent): string {
  const d = event.details;
  const parts = [
    d.reason,
    d.expiresAt && `→ ${new Date(String(d.expiresAt)).toISOString()}`,
    d.recipient,
    d.name,
    d.access !== undefined && `access=${d.access}`,
  ];
  return parts.filter(Boolean).map(String).join(' · ');
}

function auditCard(tenant: string): HTMLElement {
  const body = h('tbody', {});
  const older = h('button', { type: 'button', class: 'secondary', hidden: true }, t.older);
  const newest = h('button', { type: 'button', class: 'secondary', hidden: true }, t.newest);
  const load = async (cursor?: string) => {
    const page = await api.audit(tenant, cursor);
    body.replaceChildren(
      ...(page.events.length === 0 ? [h('tr', {}, h('td', { colspan: 4 }, t.noEvents))] : []),
      ...page.events.map((e) =>
        h(
          'tr',
          { 'data-type': e.type },
          h('td', {}, time(e.at)),
          h('td', {}, e.type),
          h('td', {}, e.actor),
          h('td', {}, describe(e)),
        ),
      ),
    );
    older.hidden = !page.nextCursor;
    older.onclick = () => void attempt(() => load(page.nextCursor ?? undefined));
    newest.hidden = !cursor;
  };
  newest.onclick = () => void attempt(() => load());
  void attempt(() => load());
  return card(
    t.audit,
    h(
      'table',
      { 'data-testid': 'audit' },
      h(
        'thead',
        {},
        h('tr', {}, ...[t.when, t.event, t.actor, t.details].map((c) => h('th', { scope: 'col' }, c))),
      ),
      body,
    ),
    h('div', { class: 'row' }, newest, older),
  );
}

async function renderTenant(tenant: string, isAdmin: boolean): Promise<void> {
  const parts: HTMLElement[] = [];
  const active = await api.activeGrant(tenant);
  parts.push(currentAccessCard(tenant, active.grants[0] ?? null));
  if (isAdmin) {
    parts.push(await contactsCard(tenant));
    parts.push(auditCard(tenant));
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
  app.replaceChildren(card(t.lookUp, check, answer), card(t.verify, verify, verdict));
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
    saveLanguage(language);
    void render();
  });
  (document.getElementById('sign-out') as HTMLButtonElement).addEventListener('click', () => {
    forgetSession();
    session = null;
    void render();
  });
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
  } catch (error) {
    showError(error);
    return;
  }
  await render();
}

void main();
