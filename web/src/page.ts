import type { Api } from './api.ts';
import type { Language, Strings } from './i18n/index.ts';

/** What every view draws with: the API, the reader's language, and the page's lifecycle. */
export interface Page {
  readonly api: Api;
  readonly language: Language;
  readonly t: Strings;
  /** Draws the whole page again from the API (after a change). */
  render(): Promise<void>;
  /** Calls `tick` every second until the page is drawn again. */
  every(tick: () => void): void;
  /** A point in time in the reader's language and time zone, the UTC instant on hover. */
  time(iso: string): HTMLTimeElement;
}
