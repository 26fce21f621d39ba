import type { Webhook } from '../../api.ts';
import { field, h } from '../../dom.ts';
import { formatTime } from '../../format.ts';
import type { Language } from '../../i18n/index.ts';
import type { AdminPage } from '../tenant.ts';

/**
 * The admin's "Integrations" card: the tenant's webhooks (its SIEM, its own tools, Slack), a
 * secret shown once with a copy button, a test delivery and the last deliveries' status.
 */

const STRINGS = {
  en: {
    title: 'Integrations',
    intro:
      'Every event of this account — each access check, each action support reports, every grant and contact change — posted live to your own systems (signed, Standard Webhooks) or to a Slack channel.',
    none: 'No webhooks yet.',
    url: 'URL',
    format: 'Format',
    standard: 'Signed JSON (Standard Webhooks)',
    slack: 'Slack',
    language: 'Slack language',
    description: 'Description',
    events: 'Events',
    add: 'Add endpoint',
    test: 'Send a test',
    rotate: 'New secret',
    remove: 'Remove',
    deliveries: 'Last deliveries',
    hide: 'Hide deliveries',
    confirmRemove: 'Remove this webhook? Its pending retries stop.',
    confirmRotate: 'Make a new secret? For 24 hours deliveries are signed with both.',
    secretOnce: 'The signing secret. Copy it now: it is not shown again.',
    copy: 'Copy',
    copied: 'Copied',
    done: 'Done',
    testSent: 'Test sent: it appears under the last deliveries within seconds.',
    noDeliveries: 'No deliveries yet.',
    type: 'Event',
    status: 'Status',
    attempts: 'Attempts',
    last: 'Last attempt',
    answer: 'Answer',
    refresh: 'Refresh',
    statuses: { pending: 'retrying', delivered: 'delivered', failed: 'failed' },
  },
  de: {
    title: 'Integrationen',
    intro:
      'Jedes Ereignis dieses Kontos – jede Zugriffsprüfung, jede gemeldete Tätigkeit des Supports, jede Änderung an Zugriffen und Kontakten – sofort an Ihre eigenen Systeme (signiert, Standard Webhooks) oder in einen Slack-Kanal.',
    none: 'Noch keine Webhooks.',
    url: 'URL',
    format: 'Format',
    standard: 'Signiertes JSON (Standard Webhooks)',
    slack: 'Slack',
    language: 'Sprache für Slack',
    description: 'Beschreibung',
    events: 'Ereignisse',
    add: 'Endpunkt hinzufügen',
    test: 'Test senden',
    rotate: 'Neues Geheimnis',
    remove: 'Entfernen',
    deliveries: 'Letzte Zustellungen',
    hide: 'Zustellungen ausblenden',
    confirmRemove: 'Diesen Webhook entfernen? Ausstehende Wiederholungen entfallen.',
    confirmRotate: 'Ein neues Geheimnis erzeugen? 24 Stunden lang wird mit beiden signiert.',
    secretOnce: 'Das Signaturgeheimnis. Kopieren Sie es jetzt: Es wird nicht noch einmal angezeigt.',
    copy: 'Kopieren',
    copied: 'Kopiert',
    done: 'Fertig',
    testSent: 'Test gesendet: Er erscheint in Sekunden unter den letzten Zustellungen.',
    noDeliveries: 'Noch keine Zustellungen.',
    type: 'Ereignis',
    status: 'Status',
    attempts: 'Versuche',
    last: 'Letzter Versuch',
    answer: 'Antwort',
    refresh: 'Aktualisieren',
    statuses: { pending: 'wird wiederholt', delivered: 'zugestellt', failed: 'fehlgeschlagen' },
  },
} satisfies Record<Language, unknown>;

export function integrationsCard({ api, tenant, language }: AdminPage): HTMLElement {
  const t = STRINGS[language];
  const alert = h('p', { role: 'alert', class: 'error', hidden: true });
  const secretBox = h('div', { class: 'secret', hidden: true, 'data-testid': 'webhook-secret' });
  const list = h('div', {});
  const status = h('p', { role: 'status' });

  const act = async (action: () => Promise<void>) => {
    alert.hidden = true;
    try {
      await action();
    } catch (error) {
      alert.textContent = (error as Error).message;
      alert.hidden = false;
    }
  };

  const showSecret = (secret: string) => {
    const value = h('input', { readonly: true, value: secret, 'aria-label': t.secretOnce, size: 52 });
    const copy = h('button', { type: 'button' }, t.copy);
    copy.addEventListener('click', () => {
      void navigator.clipboard.writeText(secret).then(() => {
        copy.textContent = t.copied;
      });
    });
    const done = h('button', { type: 'button', class: 'secondary' }, t.done);
    done.addEventListener('click', () => {
      secretBox.replaceChildren();
      secretBox.hidden = true;
    });
    secretBox.replaceChildren(h('p', {}, t.secretOnce), h('div', { class: 'row' }, value, copy, done));
    secretBox.hidden = false;
  };

  const deliveriesOf = async (webhook: Webhook, into: HTMLElement) => {
    const { deliveries } = await api.webhookDeliveries(tenant, webhook.webhookId);
    if (deliveries.length === 0) {
      into.replaceChildren(h('p', {}, t.noDeliveries));
      return;
    }
    into.replaceChildren(
      h(
        'table',
        { 'data-testid': 'deliveries' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[t.type, t.status, t.attempts, t.last, t.answer].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          ...deliveries.map((d) =>
            h(
              'tr',
              { 'data-status': d.status },
              h('td', {}, d.type),
              h('td', {}, t.statuses[d.status]),
              h('td', {}, String(d.attempts)),
              h('td', {}, d.lastAttemptAt ? formatTime(d.lastAttemptAt, language).text : '—'),
              h('td', {}, [d.responseStatus, d.error].filter((x) => x !== null).join(' ') || '—'),
            ),
          ),
        ),
      ),
    );
  };

  const row = (webhook: Webhook) => {
    const deliveries = h('div', { hidden: true });
    const show = h('button', { type: 'button', class: 'secondary' }, t.deliveries);
    show.addEventListener('click', () =>
      act(async () => {
        if (!deliveries.hidden) {
          deliveries.hidden = true;
          show.textContent = t.deliveries;
          return;
        }
        await deliveriesOf(webhook, deliveries);
        deliveries.hidden = false;
        show.textContent = t.hide;
      }),
    );
    const button = (label: string, onClick: () => Promise<void>, kind = 'secondary') => {
      const b = h('button', { type: 'button', class: kind }, label);
      b.addEventListener('click', () => void act(onClick));
      return b;
    };
    const id = webhook.webhookId;
    return h(
      'li',
      { 'data-webhook': webhook.webhookId },
      h('strong', {}, webhook.description ?? webhook.url),
      ' ',
      h('code', {}, webhook.url),
      ` — ${webhook.format === 'slack' ? `${t.slack} (${webhook.locale})` : t.standard}; ${t.events}: ${
        webhook.eventTypes.length > 4 ? String(webhook.eventTypes.length) : webhook.eventTypes.join(', ')
      }`,
      h(
        'div',
        { class: 'row' },
        button(t.test, async () => {
          await api.testWebhook(tenant, id);
          status.textContent = t.testSent;
        }),
        show,
        webhook.format === 'standard' &&
          button(t.rotate, async () => {
            if (!confirm(t.confirmRotate)) return;
            showSecret((await api.rotateWebhookSecret(tenant, id)).secret);
          }),
        button(
          t.remove,
          async () => {
            if (!confirm(t.confirmRemove)) return;
            await api.removeWebhook(tenant, id);
            await refresh();
          },
          'danger',
        ),
      ),
      deliveries,
    );
  };

  const refresh = async () => {
    const { webhooks } = await api.webhooks(tenant);
    list.replaceChildren(
      webhooks.length === 0 ? h('p', {}, t.none) : h('ul', { class: 'webhooks' }, ...webhooks.map(row)),
    );
  };

  const url = h('input', { type: 'url', required: true, maxlength: 2000, placeholder: 'https://' });
  const format = h(
    'select',
    {},
    h('option', { value: 'standard' }, t.standard),
    h('option', { value: 'slack' }, t.slack),
  );
  const locale = h(
    'select',
    {},
    h('option', { value: 'en' }, 'English'),
    h('option', { value: 'de' }, 'Deutsch'),
  );
  const description = h('input', { maxlength: 200 });
  const form = h(
    'form',
    {},
    h(
      'div',
      { class: 'row' },
      field(t.url, url),
      field(t.format, format),
      field(t.language, locale),
      field(t.description, description),
      h('button', { type: 'submit' }, t.add),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(async () => {
      const chosen = format.value === 'slack' ? 'slack' : 'standard';
      const added = await api.addWebhook(tenant, {
        url: url.value.trim(),
        format: chosen,
        ...(chosen === 'slack' ? { locale: locale.value === 'de' ? 'de' : 'en' } : {}),
        ...(description.value.trim() ? { description: description.value.trim() } : {}),
      });
      form.reset();
      if (added.format === 'standard') showSecret(added.secret);
      await refresh();
    });
  });

  void act(refresh);
  return h(
    'section',
    { class: 'card', 'aria-label': t.title },
    h('h2', {}, t.title),
    h('p', {}, t.intro),
    alert,
    status,
    secretBox,
    list,
    form,
  );
}
