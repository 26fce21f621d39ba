import type { Receipt } from '../../api.ts';
import { card, columns } from '../../cards.ts';
import { h } from '../../dom.ts';
import { attempt } from '../../error-box.ts';
import type { Page } from '../../page.ts';
import { describe } from '../sentences.ts';
import type { TenantPage } from '../tenant.ts';

/** The receipt an email's link asked for (`?receipt=<grantId>`), kept across the sign-in. */
const RECEIPT_KEY = 'support-access.receipt';

/** Remembers the receipt the address asks for, if any; the sign-in may come first. */
export function rememberAskedReceipt(): string | null {
  const asked = new URLSearchParams(location.search).get('receipt');
  if (asked) sessionStorage.setItem(RECEIPT_KEY, asked);
  return sessionStorage.getItem(RECEIPT_KEY);
}

/** The receipt to open once, then forgotten. */
function takeAskedReceipt(): string | null {
  const asked = rememberAskedReceipt();
  sessionStorage.removeItem(RECEIPT_KEY);
  return asked;
}

/** A grant's receipt: what support did under it, and the audit head to keep. */
function receiptView(page: Page, receipt: Receipt): HTMLElement {
  const { t } = page;
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
      : h(
          'ul',
          {},
          ...receipt.activities.map((e) => h('li', {}, page.time(e.at), ' ', describe(e, new Map(), page))),
        ),
  );
}

/** Ended grants, each with its receipt one click away (or opened at once from an email's link). */
export async function pastGrantsCard(page: TenantPage): Promise<HTMLElement> {
  const { api, t, tenant } = page;
  const open = takeAskedReceipt();
  const ended = await api.endedGrants(tenant);
  const shown = h('div', { 'aria-live': 'polite' });
  const show = (grantId: string) =>
    attempt(async () => {
      shown.replaceChildren(receiptView(page, await api.receipt(tenant, grantId)));
    });
  if (open) void show(open);
  return card(
    t.pastGrants,
    ended.grants.length === 0
      ? h('p', { class: 'muted' }, t.noPastGrants)
      : h(
          'table',
          { 'data-testid': 'past-grants' },
          columns(t.reason, t.ended, t.grantedBy, ''),
          h(
            'tbody',
            {},
            ...ended.grants.map((g) =>
              h(
                'tr',
                { 'data-grant': g.grantId },
                h('td', {}, g.reason),
                h('td', {}, g.endedAt ? page.time(g.endedAt) : '—'),
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
