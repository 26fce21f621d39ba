import type { Contact } from '../../api.ts';
import { card, columns } from '../../cards.ts';
import { field, h } from '../../dom.ts';
import { actionButton, actionForm } from '../actions.ts';
import type { AdminPage } from '../tenant.ts';

/** The tenant's authorized contacts: the list, each removable, and the form to add one. */
export function contactsCard(page: AdminPage): HTMLElement {
  const { t, contacts, warnings } = page;
  return card(
    t.contacts,
    warnings.length > 0 && h('p', { class: 'warning', role: 'status' }, t.fewContacts),
    h(
      'table',
      {},
      columns(t.name, t.email, t.phone, t.language, t.timeZone, t.canGrant, t.canInstruct, ''),
      h('tbody', {}, ...contacts.map((c) => contactRow(page, c))),
    ),
    addContactForm(page),
  );
}

function contactRow(page: AdminPage, c: Contact): HTMLElement {
  const { api, t, tenant } = page;
  return h(
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
      actionButton(
        { class: 'secondary', 'aria-label': `${t.remove} ${c.name}` },
        async () => {
          if (!confirm(t.confirmRemove(c.name))) return;
          await api.removeContact(tenant, c.contactId);
          await page.render();
        },
        t.remove,
      ),
    ),
  );
}

function addContactForm(page: AdminPage): HTMLElement {
  const { api, t, tenant } = page;
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
  return actionForm(
    {},
    async () => {
      await api.addContact(tenant, {
        name: name.value,
        email: email.value,
        phone: phone.value,
        locale: locale.value === 'en' ? 'en' : 'de',
        timeZone: timeZone.value.trim(),
        canGrantAccess: canGrant.checked,
        canInstruct: canInstruct.checked,
      });
      await page.render();
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
}
