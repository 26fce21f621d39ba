import { card, columns } from '../../cards.ts';
import { h } from '../../dom.ts';
import { attempt } from '../../error-box.ts';
import { actionButton } from '../actions.ts';
import { describe } from '../sentences.ts';
import type { AdminPage } from '../tenant.ts';

/** Mails that went out: many lines for one act, so they wait behind a toggle (failures never do). */
const DELIVERY = 'notification.sent';

/** The tenant's audit log as sentences, a page at a time, and the verifiable export. */
export function auditCard(page: AdminPage): HTMLElement {
  const { api, t, tenant, names } = page;
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
    const { events, nextCursor } = await api.audit(tenant, cursor);
    body.replaceChildren(
      ...(events.length === 0 ? [h('tr', {}, h('td', { colspan: 3 }, t.noEvents))] : []),
      ...events.map((e) =>
        h(
          'tr',
          { 'data-type': e.type },
          h('td', {}, page.time(e.at)),
          h('td', { class: 'sentence' }, describe(e, names, page)),
          h('td', { class: 'muted' }, e.type),
        ),
      ),
    );
    showOrHideDeliveries();
    older.hidden = !nextCursor;
    older.onclick = () => void attempt(() => load(nextCursor ?? undefined));
    newest.hidden = !cursor;
  };
  newest.onclick = () => void attempt(() => load());
  void attempt(() => load());
  const downloaded = h('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'download-result' });
  return card(
    t.audit,
    h('div', { class: 'row' }, downloadButton(page, downloaded), deliveries),
    downloaded,
    h('table', { 'data-testid': 'audit' }, columns(t.when, t.details, t.event), body),
    h('div', { class: 'row' }, newest, older),
  );
}

/** Downloads the chained log as NDJSON and says how many events and which head it holds. */
function downloadButton(page: AdminPage, downloaded: HTMLElement): HTMLElement {
  const { api, t, tenant } = page;
  return actionButton(
    { class: 'secondary' },
    async () => {
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
    },
    t.download,
  );
}
