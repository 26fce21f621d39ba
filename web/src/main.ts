import { Api } from './api.ts';
import {
  type ConsoleConfig,
  finishOidcSignIn,
  forgetSession,
  keepSession,
  loadConfig,
  type Session,
  sessionFrom,
  storedSession,
} from './auth.ts';
import { card } from './cards.ts';
import { h } from './dom.ts';
import { attempt, showError } from './error-box.ts';
import { timeElement } from './format.ts';
import { initialLanguage, type Language, saveLanguage, strings } from './i18n/index.ts';
import type { Page } from './page.ts';
import { agentView } from './views/agent.ts';
import { rememberAskedReceipt } from './views/contact/receipts.ts';
import { type LinkContext, linkView, takeLinkToken } from './views/link.ts';
import { signInView } from './views/sign-in.ts';
import { tenantView } from './views/tenant.ts';

/**
 * The console's one state and its routing: who is signed in, in which language, and which page
 * (an emailed link's, sign-in, a tenant's, the support agents') that makes.
 */

let language: Language = initialLanguage();
let languageChosen = false;
let config: ConsoleConfig;
let session: Session | null = null;
let api: Api;
const timers: number[] = [];
/** The token of an emailed link when the console shows its page (/act). */
let actToken: string | null = null;

const app = document.getElementById('app') as HTMLElement;
const languageSelect = document.getElementById('language') as HTMLSelectElement;

function page(): Page {
  const t = strings(language);
  const current = language;
  return {
    api,
    language: current,
    t,
    render,
    every: (tick) => {
      timers.push(window.setInterval(tick, 1000));
    },
    time: (iso) => timeElement(iso, current),
  };
}

function renderHeader(): void {
  const t = strings(language);
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

const linkContext: LinkContext = {
  get config() {
    return config;
  },
  session: () => session,
  speak: (locale) => {
    if (!languageChosen) {
      language = locale;
      languageSelect.value = language;
    }
    renderHeader();
    return page();
  },
  forgetSession: () => {
    forgetSession();
    session = null;
  },
  signedOut: () => {
    forgetSession();
    session = null;
    void render();
  },
};

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
  renderHeader();
  const current = page();
  await attempt(async () => {
    if (actToken) return app.replaceChildren(await linkView(current, linkContext, actToken));
    if (!session) return app.replaceChildren(signInView(config, current.t));
    if (session.tenantId) {
      const isAdmin = session.roles.includes('tenant-admin');
      return app.replaceChildren(...(await tenantView(current, session.tenantId, isAdmin)));
    }
    if (session.roles.includes('support-agent')) return app.replaceChildren(...agentView(current));
    app.replaceChildren(card(current.t.title, h('p', {}, 'This account has no role in this console.')));
  });
}

async function main(): Promise<void> {
  languageSelect.value = language;
  languageSelect.addEventListener('change', () => {
    language = languageSelect.value === 'de' ? 'de' : 'en';
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
  rememberAskedReceipt();
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

void main();
