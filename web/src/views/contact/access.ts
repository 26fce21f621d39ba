import type { Grant, RequestBody } from '../../api.ts';
import { card } from '../../cards.ts';
import { field, h } from '../../dom.ts';
import { formatRemaining } from '../../format.ts';
import type { Strings } from '../../i18n/index.ts';
import { actionButton, actionForm } from '../actions.ts';
import type { TenantPage } from '../tenant.ts';

const PRESETS: Record<string, number> = {
  '1d': 86_400,
  '1w': 7 * 86_400,
  '2w': 14 * 86_400,
  '1m': 30 * 86_400,
  '4m': 120 * 86_400,
};

/** Duration presets and a custom date; returns a body with durationSeconds or expiresAt. */
function deadlinePicker(t: Strings): {
  element: HTMLElement;
  value: () => RequestBody<'changeGrantDeadline'>;
} {
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

/** Whether support has access now: grant it, or see the countdown, move the deadline, end it. */
export async function currentAccessCard(page: TenantPage): Promise<HTMLElement> {
  const { api, t, tenant } = page;
  const grant = (await api.activeGrant(tenant)).grants[0];
  if (!grant) {
    return card(
      t.currentAccess,
      h('p', { class: 'status none', 'data-testid': 'access-status' }, t.noAccess),
      grantForm(page),
    );
  }
  return card(
    t.currentAccess,
    h('p', { class: 'status active', 'data-testid': 'access-status' }, t.active),
    grantDetails(page, grant),
    extendForm(page, grant),
    h(
      'p',
      {},
      actionButton(
        { class: 'danger' },
        async () => {
          if (!confirm(t.confirmEnd)) return;
          await api.revoke(tenant, grant.grantId);
          await page.render();
        },
        t.endNow,
      ),
    ),
  );
}

/** The form that grants access while support has none. */
function grantForm(page: TenantPage): HTMLElement {
  const { api, t, tenant } = page;
  const picker = deadlinePicker(t);
  const reason = h('input', { required: true, maxlength: 500 });
  const ticket = h('input', { maxlength: 100 });
  // One key per form shown: a double submit or a retry creates one grant.
  const key = crypto.randomUUID();
  return actionForm(
    { 'aria-label': t.grantAccess },
    async () => {
      await api.createGrant(
        tenant,
        { reason: reason.value, ticket: ticket.value.trim() || null, ...picker.value() },
        key,
      );
      await page.render();
    },
    h('h3', {}, t.grantAccess),
    picker.element,
    h('div', { class: 'row' }, field(t.reason, reason), field(`${t.ticket} ${t.optional}`, ticket)),
    h('div', {}, h('button', { type: 'submit' }, t.grant)),
  );
}

/** The active grant, with a countdown that draws the page again when it reaches zero. */
function grantDetails(page: TenantPage, grant: Grant): HTMLElement {
  const { t } = page;
  const countdown = h('span', { class: 'countdown', 'data-testid': 'countdown', 'aria-live': 'off' });
  const deadline = Date.parse(grant.expiresAt);
  const tick = () => {
    const left = deadline - Date.now();
    countdown.textContent = formatRemaining(left);
    if (left <= 0) void page.render();
  };
  tick();
  page.every(tick);
  return h(
    'dl',
    {},
    h('dt', {}, t.remaining),
    h('dd', {}, countdown),
    h('dt', {}, t.deadline),
    h('dd', { 'data-testid': 'deadline' }, page.time(grant.expiresAt)),
    h('dt', {}, t.grantedBy),
    h('dd', {}, `${grant.grantedBy.name} <${grant.grantedBy.email}>`),
    h('dt', {}, t.reason),
    h('dd', {}, grant.reason),
    h('dt', {}, t.ticket),
    h('dd', {}, grant.ticket ?? '—'),
  );
}

function extendForm(page: TenantPage, grant: Grant): HTMLElement {
  const { api, t, tenant } = page;
  const picker = deadlinePicker(t);
  return actionForm(
    { 'aria-label': t.extend },
    async () => {
      await api.changeDeadline(tenant, grant.grantId, picker.value());
      await page.render();
    },
    h('h3', {}, t.extendBy),
    picker.element,
    h('div', {}, h('button', { type: 'submit' }, t.extend)),
  );
}
