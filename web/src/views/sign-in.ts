import { type ConsoleConfig, startOidcSignIn } from '../auth.ts';
import { card } from '../cards.ts';
import { h } from '../dom.ts';
import type { Strings } from '../i18n/index.ts';

/** Nobody is signed in: the way to the identity provider, the console's only sign-in. */
export function signInView(config: ConsoleConfig, t: Strings): HTMLElement {
  if (config.auth.mode !== 'oidc') return card(t.signIn, h('p', { role: 'alert' }, t.noSignIn));
  const auth = config.auth;
  return card(t.signIn, h('button', { type: 'button', onclick: () => void startOidcSignIn(auth) }, t.signIn));
}
