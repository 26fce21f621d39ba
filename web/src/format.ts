import { h } from './dom.ts';
import type { Language } from './i18n/index.ts';

/** Local time for people, with the exact UTC instant for the title (hover). */
export function formatTime(iso: string, language: Language): { text: string; utc: string } {
  const date = new Date(iso);
  return {
    text: new Intl.DateTimeFormat(language === 'de' ? 'de-DE' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(date),
    utc: `${date
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, ' UTC')}`,
  };
}

export function formatRemaining(ms: number): string {
  if (ms <= 0) return '0s';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d > 0 ? `${d}d ` : ''}${pad(h)}:${pad(m)}:${pad(sec)}`;
}

/** A point in time as the reader's local time, the exact UTC instant on hover. */
export function timeElement(iso: string, language: Language): HTMLTimeElement {
  const { text, utc } = formatTime(iso, language);
  return h('time', { datetime: iso, title: utc }, text);
}
