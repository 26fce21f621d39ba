import { de } from './de.ts';
import { en, type Strings } from './en.ts';

export type Language = 'de' | 'en';
export type { Strings };

const STRINGS: Record<Language, Strings> = { en, de };
const KEY = 'support-access.language';

export function initialLanguage(): Language {
  const saved = localStorage.getItem(KEY);
  if (saved === 'de' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export function saveLanguage(language: Language): void {
  localStorage.setItem(KEY, language);
}

export function strings(language: Language): Strings {
  return STRINGS[language];
}
