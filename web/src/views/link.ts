import { Api, ApiError, type Grant, type Instruction, type LinkView } from '../api.ts';
import { type ConsoleConfig, type Session, startOidcSignIn } from '../auth.ts';
import { card } from '../cards.ts';
import { h } from '../dom.ts';
import type { Language } from '../i18n/index.ts';
import type { Page } from '../page.ts';

/**
 * An emailed link's token while its page is open or its contact signs in for it: in
 * sessionStorage (this tab only), never in an address a server sees.
 */
const LINK_KEY = 'support-access.link';

/** What the page of a link needs from the console beyond drawing. */
export interface LinkContext {
  readonly config: ConsoleConfig;
  session(): Session | null;
  /** The page in the link's contact's language, unless the reader chose another here. */
  speak(locale: Language): Page;
  /** Forgets the session (to sign in as someone else). */
  forgetSession(): void;
  /** The session the API refused (expired, revoked): forgotten, so the page asks for a sign-in again. */
  signedOut(): void;
}

/**
 * The token of the emailed link this page is for, if any. Links carry it in the fragment
 * (`/act#<token>`), which browsers never send; it is read and the address replaced at once, so
 * the address bar, the history and any later request show `/act` only. Links mailed before
 * (`/act/<token>`) are taken the same way, off the path, before anything else. While the page
 * is open, and across the contact's sign-in (which returns to `/` with a code), it is kept in
 * sessionStorage (this tab only); opening the console itself forgets it.
 */
export function takeLinkToken(): string | null {
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

function linkProblem(page: Page, error: unknown): string {
  if (error instanceof ApiError) return page.t.linkProblems[error.code] ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * /act#<token>: says what the link will do, in its contact's language, and does it only once
 * they confirm. Opening the page changes nothing (mail scanners open links too). Links that give
 * support more access (extend, confirm) first have the contact sign in as themselves.
 */
export async function linkView(page: Page, context: LinkContext, token: string): Promise<HTMLElement> {
  let view: LinkView | undefined;
  // The contact's sign-in goes only with links that need it; end and reject stay one click.
  const links = new Api(context.config.apiUrl, () =>
    view?.signInRequired ? (context.session()?.token ?? null) : null,
  );
  try {
    view = await links.viewLink(token);
  } catch (error) {
    return card(
      page.t.actTitle,
      h('p', { class: 'big-answer no', 'data-testid': 'act-result' }, linkProblem(page, error)),
    );
  }
  const spoken = context.speak(view.contact.locale);
  const use = useButton(spoken, context, links, token);
  if (view.instruction) return instructionLinkView(spoken, context, view, view.instruction, use);
  if (view.grant) return grantLinkView(spoken, context, view, view.grant, use);
  return card(spoken.t.actTitle, h('p', { class: 'big-answer no' }, spoken.t.linkProblems['not-found']));
}

type UseButton = (
  label: string,
  danger: boolean,
  done: (after: Grant | Instruction) => HTMLElement[],
) => { button: HTMLButtonElement; result: HTMLElement };

/** The one button that uses the link, and where its outcome shows. */
function useButton(page: Page, context: LinkContext, links: Api, token: string): UseButton {
  return (label, danger, done) => {
    const result = h('div', { 'aria-live': 'polite', 'data-testid': 'act-result' });
    const button = h(
      'button',
      {
        type: 'button',
        class: danger ? 'danger' : '',
        'data-testid': 'act-confirm',
        onclick: () =>
          void (async () => {
            button.disabled = true;
            try {
              const after = await links.useLink(token);
              sessionStorage.removeItem(LINK_KEY);
              result.replaceChildren(...done(after));
              button.hidden = true;
            } catch (error) {
              result.replaceChildren(h('p', { class: 'big-answer no' }, linkProblem(page, error)));
              if (error instanceof ApiError && error.code === 'unauthenticated') context.signedOut();
            }
          })(),
      },
      label,
    );
    return { button, result };
  };
}

/** The page of an End or Extend link in a grant's email. */
function grantLinkView(
  page: Page,
  context: LinkContext,
  view: LinkView,
  grant: Grant,
  use: UseButton,
): HTMLElement {
  const { t } = page;
  const { tenantId } = view;
  const ending = view.action === 'end';
  const active = grant.status === 'active';
  const by = view.extendBySeconds ?? 0;
  const newDeadline = new Date(Date.parse(grant.expiresAt) + by * 1000).toISOString();
  const question = ending
    ? t.actEnd(tenantId)
    : t.actExtend(
        tenantId,
        by === 86_400 ? t.oneDay : by === 7 * 86_400 ? t.oneWeek : t.days(Math.round(by / 86_400)),
      );
  const { button, result } = use(ending ? t.actConfirmEnd : t.actConfirmExtend, ending, (after) => [
    h('p', { class: 'big-answer yes' }, ending ? t.actEnded : t.actExtended),
    h('p', {}, `${t.deadline}: `, page.time('expiresAt' in after ? after.expiresAt : grant.expiresAt)),
  ]);
  const details = h(
    'dl',
    {},
    h('dt', {}, t.reason),
    h('dd', {}, grant.reason),
    h('dt', {}, t.grantedBy),
    h('dd', {}, `${grant.grantedBy.name} <${grant.grantedBy.email}>`),
    h('dt', {}, t.deadline),
    h('dd', {}, page.time(grant.expiresAt)),
    ...(view.action === 'extend' && active
      ? [h('dt', {}, t.actNewDeadline), h('dd', {}, `≈ `, page.time(newDeadline))]
      : []),
  );
  return card(
    t.actTitle,
    h(
      'p',
      { class: 'act-question', 'data-testid': 'act-question' },
      active ? question : ending ? t.actAlreadyEnded : t.actCannotExtend,
    ),
    details,
    h('p', { class: 'muted' }, t.actAs(view.contact.name, view.contact.email)),
    active ? (signInGate(page, context, view) ?? h('p', {}, button)) : null,
    result,
  );
}

/** The page of a Confirm or Reject link in an instruction's email. */
function instructionLinkView(
  page: Page,
  context: LinkContext,
  view: LinkView,
  instruction: Instruction,
  use: UseButton,
): HTMLElement {
  const { t } = page;
  const confirming = view.action === 'confirm-instruction';
  const kind = t.kinds[instruction.kind] ?? instruction.kind;
  const pending = instruction.status === 'pending-confirmation';
  const { button, result } = use(confirming ? t.actConfirmButton : t.actRejectButton, !confirming, () => [
    h('p', { class: 'big-answer yes' }, confirming ? t.actConfirmed : t.actRejected),
  ]);
  return card(
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
        ? [h('dt', {}, t.confirmBy), h('dd', {}, page.time(instruction.confirmBy))]
        : []),
    ),
    h('p', { class: 'muted' }, t.actAs(view.contact.name, view.contact.email)),
    pending ? (signInGate(page, context, view) ?? h('p', {}, button)) : null,
    result,
  );
}

/**
 * For a link that needs its person: the way to sign in as them, when nobody or somebody else is
 * signed in; null when the contact is (the API checks again). The link's token stays in
 * sessionStorage across the sign-in, which returns to this page.
 */
function signInGate(page: Page, context: LinkContext, view: LinkView): HTMLElement | null {
  if (!view.signInRequired) return null;
  const { t } = page;
  const { config } = context;
  const session = context.session();
  const contact = view.contact.email;
  if (session && session.email.toLowerCase() === contact.toLowerCase()) return null;
  if (config.auth.mode !== 'oidc') return h('p', { role: 'alert' }, t.noSignIn);
  const auth = config.auth;
  const signIn = () => {
    context.forgetSession();
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
