import type { ActionLink, LinkUse } from '../action-link.ts';

/** Emailed one-click links, by the hash of their token. */
export interface LinkStore {
  /** Stores emailed links before the mail carrying them is sent. */
  issueLinks(links: readonly ActionLink[]): Promise<void>;
  getLink(tokenHash: string): Promise<ActionLink | null>;
  /** Uses a link on its own (when its action changes nothing); LinkUsedError when used already. */
  useLink(use: LinkUse): Promise<void>;
}
