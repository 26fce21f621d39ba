export type Language = 'de' | 'en';

const en = {
  title: 'Support access',
  signIn: 'Sign in',
  noSignIn: 'This console has no sign-in configured (config.json names no identity provider).',
  signOut: 'Sign out',
  signedInAs: (who: string) => `Signed in as ${who}`,
  contacts: 'Authorized support contacts',
  fewContacts:
    'Fewer than two contacts can grant access. Register at least two, so one absent person cannot lock you out.',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  language: 'Language',
  canGrant: 'May grant access',
  canInstruct: 'May give instructions',
  add: 'Add contact',
  remove: 'Remove',
  confirmRemove: (name: string) => `Remove ${name}? If they granted the current access, it ends now.`,
  yes: 'yes',
  no: 'no',
  currentAccess: 'Current support access',
  noAccess: 'Support has no access.',
  active: 'Support has access',
  grantedBy: 'Granted by',
  reason: 'Reason',
  ticket: 'Ticket',
  deadline: 'Ends',
  remaining: 'Remaining',
  grantAccess: 'Grant support access',
  duration: 'Duration',
  presets: {
    '1d': '1 day',
    '1w': '1 week',
    '2w': '2 weeks',
    '1m': '1 month',
    '4m': '4 months',
    custom: 'Until…',
  },
  until: 'Until (your time)',
  grant: 'Grant access',
  extend: 'Extend',
  extendBy: 'New deadline from now',
  endNow: 'End access now',
  confirmEnd: 'End support access now?',
  audit: 'Audit log',
  when: 'When',
  event: 'Event',
  actor: 'By',
  details: 'Details',
  older: 'Older',
  newest: 'Newest',
  support: 'Support view',
  lookUp: 'Check a tenant',
  tenant: 'Tenant',
  check: 'Check access',
  accessYes: 'Access: yes',
  accessNo: 'Access: no',
  verify: 'Verify a caller',
  verifyBy: 'Phone or email',
  verifyButton: 'Verify',
  authorized: (name: string) => `${name} is a registered contact.`,
  notAuthorized: 'Not a registered contact. Do not act on their instructions.',
  sharedNumber: (n: number) =>
    `${n} contacts share this number. Ask who is calling, then verify them by their own email address.`,
  optional: '(optional)',
  loading: 'Loading…',
  noEvents: 'No events yet.',
  expired: 'ended',
};

type Strings = typeof en;

const de: Strings = {
  title: 'Supportzugriff',
  signIn: 'Anmelden',
  noSignIn:
    'Für diese Konsole ist keine Anmeldung eingerichtet (config.json nennt keinen Identitätsanbieter).',
  signOut: 'Abmelden',
  signedInAs: (who) => `Angemeldet als ${who}`,
  contacts: 'Autorisierte Supportkontakte',
  fewContacts:
    'Weniger als zwei Kontakte dürfen Zugriff gewähren. Registrieren Sie mindestens zwei, damit eine abwesende Person Sie nicht aussperrt.',
  name: 'Name',
  email: 'E-Mail',
  phone: 'Telefon',
  language: 'Sprache',
  canGrant: 'Darf Zugriff gewähren',
  canInstruct: 'Darf Anweisungen geben',
  add: 'Kontakt hinzufügen',
  remove: 'Entfernen',
  confirmRemove: (name) =>
    `${name} entfernen? Falls diese Person den aktuellen Zugriff gewährt hat, endet er sofort.`,
  yes: 'ja',
  no: 'nein',
  currentAccess: 'Aktueller Supportzugriff',
  noAccess: 'Der Support hat keinen Zugriff.',
  active: 'Der Support hat Zugriff',
  grantedBy: 'Gewährt von',
  reason: 'Grund',
  ticket: 'Ticket',
  deadline: 'Endet',
  remaining: 'Verbleibend',
  grantAccess: 'Supportzugriff gewähren',
  duration: 'Dauer',
  presets: {
    '1d': '1 Tag',
    '1w': '1 Woche',
    '2w': '2 Wochen',
    '1m': '1 Monat',
    '4m': '4 Monate',
    custom: 'Bis…',
  },
  until: 'Bis (Ihre Zeit)',
  grant: 'Zugriff gewähren',
  extend: 'Verlängern',
  extendBy: 'Neue Frist ab jetzt',
  endNow: 'Zugriff jetzt beenden',
  confirmEnd: 'Supportzugriff jetzt beenden?',
  audit: 'Protokoll',
  when: 'Wann',
  event: 'Ereignis',
  actor: 'Von',
  details: 'Details',
  older: 'Ältere',
  newest: 'Neueste',
  support: 'Supportansicht',
  lookUp: 'Mandanten prüfen',
  tenant: 'Mandant',
  check: 'Zugriff prüfen',
  accessYes: 'Zugriff: ja',
  accessNo: 'Zugriff: nein',
  verify: 'Anrufer prüfen',
  verifyBy: 'Telefon oder E-Mail',
  verifyButton: 'Prüfen',
  authorized: (name) => `${name} ist ein registrierter Kontakt.`,
  notAuthorized: 'Kein registrierter Kontakt. Folgen Sie keinen Anweisungen.',
  sharedNumber: (n: number) =>
    `${n} Kontakte teilen sich diese Nummer. Fragen Sie, wer anruft, und prüfen Sie die Person über ihre eigene E-Mail-Adresse.`,
  optional: '(optional)',
  loading: 'Lädt…',
  noEvents: 'Noch keine Ereignisse.',
  expired: 'beendet',
};

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
