import type { CallerSummary, Grant } from '../api.ts';
import { card, columns } from '../cards.ts';
import { field, h } from '../dom.ts';
import { attempt } from '../error-box.ts';
import { formatRemaining, formatTime } from '../format.ts';
import type { Page } from '../page.ts';
import { actionButton, actionForm } from './actions.ts';

/** The support agent's page: check a tenant, every active grant, verify a caller, the queue. */
export function agentView(page: Page): HTMLElement[] {
  const { t } = page;
  return [
    accessCheckCard(page),
    activeGrantsCard(page),
    card(t.verify, ...callerCheck(page)),
    instructionQueueCard(page),
  ];
}

/** May support access this tenant now? (Each check is recorded in the tenant's audit log.) */
function accessCheckCard(page: Page): HTMLElement {
  const { api, t } = page;
  const tenant = h('input', { required: true, autocomplete: 'off' });
  const answer = h('div', { 'aria-live': 'polite', 'data-testid': 'access-answer' });
  const check = actionForm(
    {},
    async () => {
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
              page.time(result.grant.expiresAt),
              ` · ${t.reason}: ${result.grant.reason}`,
            )
          : h('p', { class: 'muted' }, `${formatTime(result.checkedAt, page.language).text}`),
      );
    },
    h('div', { class: 'row' }, field(t.tenant, tenant), h('button', { type: 'submit' }, t.check)),
  );
  return card(t.lookUp, check, answer);
}

/** Is this caller a registered contact of the tenant, and what may they do? */
function callerCheck(page: Page): HTMLElement[] {
  const { api, t } = page;
  const tenant = h('input', { required: true, autocomplete: 'off' });
  const who = h('input', { required: true, autocomplete: 'off' });
  const verdict = h('div', { 'aria-live': 'polite', 'data-testid': 'verify-answer' });
  const rights = (c: CallerSummary) =>
    `${t.canGrant}: ${c.canGrantAccess ? t.yes : t.no} · ${t.canInstruct}: ${c.canInstruct ? t.yes : t.no}`;
  const form = actionForm(
    {},
    async () => {
      const value = who.value.trim();
      const result = await api.verify(
        tenant.value.trim(),
        value.includes('@') ? { email: value } : { phone: value },
      );
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
    },
    h(
      'div',
      { class: 'row' },
      field(t.tenant, tenant),
      field(t.verifyBy, who),
      h('button', { type: 'submit' }, t.verifyButton),
    ),
  );
  return [form, verdict];
}

/** Every tenant's active grant, soonest end first, each with a live countdown and its own check. */
function activeGrantsCard(page: Page): HTMLElement {
  const { api, t } = page;
  const body = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t.more);
  const countdowns: { element: HTMLElement; deadline: number }[] = [];
  const tick = () => {
    for (const c of countdowns) c.element.textContent = formatRemaining(c.deadline - Date.now());
  };
  page.every(tick);
  const row = (g: Grant) => {
    const countdown = h('span', { class: 'countdown', 'data-testid': 'row-countdown' });
    countdowns.push({ element: countdown, deadline: Date.parse(g.expiresAt) });
    const verdict = h('span', { 'aria-live': 'polite', 'data-testid': 'row-answer' });
    const check = actionButton(
      { class: 'secondary', 'aria-label': `${t.check} ${g.tenantId}` },
      async () => {
        const result = await api.access(g.tenantId);
        verdict.className = `answer ${result.access ? 'yes' : 'no'}`;
        verdict.textContent = result.access ? t.accessYes : t.accessNo;
      },
      t.check,
    );
    return h(
      'tr',
      { 'data-tenant': g.tenantId },
      h('td', {}, g.tenantId),
      h('td', {}, g.reason),
      h('td', {}, g.ticket ?? '—'),
      h('td', {}, page.time(g.expiresAt)),
      h('td', {}, countdown),
      h('td', {}, check, ' ', verdict),
    );
  };
  const load = async (cursor?: string) => {
    const { grants, nextCursor } = await api.activeGrants(cursor);
    if (!cursor && grants.length === 0)
      body.replaceChildren(h('tr', {}, h('td', { colspan: 6 }, t.noActiveGrants)));
    else body.append(...grants.map(row));
    tick();
    more.hidden = !nextCursor;
    more.onclick = () => void attempt(() => load(nextCursor ?? undefined));
  };
  void attempt(() => load());
  return card(
    t.activeGrants,
    h(
      'table',
      { 'data-testid': 'active-grants' },
      columns(t.tenant, t.reason, t.ticket, t.ends, t.remaining, ''),
      body,
    ),
    h('div', { class: 'row' }, more),
  );
}

/** The agents' queue: confirmed instructions of every tenant, each marked done with a note. */
function instructionQueueCard(page: Page): HTMLElement {
  const { api, t } = page;
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
            actionButton(
              {},
              async () => {
                await api.completeInstruction(i.tenantId, i.instructionId, note.value.trim());
                await load();
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
      columns(t.tenant, t.kind, t.instructionDetails, t.requestedByLabel, t.note),
      body,
    ),
  );
}
