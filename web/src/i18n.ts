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
  showDeliveries: (n: number) => `Show deliveries (${n})`,
  hideDeliveries: 'Hide deliveries',
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
  timeZone: 'Time zone',
  instructions: 'Instructions to support',
  noInstructions: 'No instructions yet.',
  giveInstruction: 'Give an instruction',
  kind: 'Kind',
  kinds: { 'account-deletion': 'Account deletion', 'data-export': 'Data export', other: 'Other' } as Record<
    string,
    string
  >,
  instructionDetails: 'What support should do',
  status: 'Status',
  statuses: {
    'pending-confirmation': 'waiting for a second contact',
    confirmed: 'confirmed',
    rejected: 'rejected',
    lapsed: 'lapsed',
    done: 'done',
  } as Record<string, string>,
  requestedByLabel: 'Given by',
  confirmBy: 'Confirm by',
  confirm: 'Confirm',
  reject: 'Reject',
  queue: 'Confirmed instructions to carry out, oldest first',
  noQueue: 'No confirmed instruction is waiting.',
  note: 'Note',
  markDone: 'Mark done',
  actConfirmInstruction: (tenant: string, kind: string) =>
    `Confirm the instruction for the account ${tenant}: ${kind}?`,
  actRejectInstruction: (tenant: string, kind: string) =>
    `Reject the instruction for the account ${tenant}: ${kind}?`,
  actConfirmButton: 'Yes, confirm',
  actRejectButton: 'Yes, reject',
  actConfirmed: 'The instruction is confirmed; support will carry it out.',
  actRejected: 'The instruction is rejected.',
  actNotPending: 'This instruction is no longer waiting for a decision.',
  pastGrants: 'Ended support access',
  noPastGrants: 'No support access has ended yet.',
  receipt: 'Receipt',
  receiptTitle: (reason: string) => `Receipt: what support did (${reason})`,
  accessChecks: 'Access checks',
  callerVerifications: 'Caller verifications',
  agents: 'Support agents',
  activities: 'Activities',
  noActivities: 'No activities were reported.',
  auditHead: 'Audit head (keep it to verify the log later)',
  ended: 'Ended',
  download: 'Download the verifiable audit log',
  downloaded: (n: number, head: string) =>
    `Downloaded ${n} chained events; head ${head}. Check it offline with npm run verify-audit.`,
  activeGrants: 'Active support access, soonest end first',
  noActiveGrants: 'No tenant has granted support access.',
  more: 'More',
  ends: 'Ends',
  // The page of an emailed link.
  actTitle: 'Support access',
  actAs: (name: string, email: string) => `You act as ${name} <${email}>.`,
  actEnd: (tenant: string) => `End support access to the account ${tenant} now?`,
  actExtend: (tenant: string, by: string) => `Extend support access to the account ${tenant} by ${by}?`,
  actNewDeadline: 'New deadline',
  actConfirmEnd: 'Yes, end access now',
  actConfirmExtend: 'Yes, extend',
  actEnded: 'Support access has ended.',
  actExtended: 'Support access was extended.',
  actAlreadyEnded: 'Support access has already ended; there is nothing left to do.',
  actCannotExtend:
    'This access has ended and can no longer be extended. Grant new access in the console if needed.',
  actSignInFirst: (email: string) =>
    `This link gives support more access, so it works only for the person it was sent to: sign in as ${email} to confirm.`,
  actSignIn: 'Sign in to confirm',
  actWrongPerson: (signedIn: string, email: string) =>
    `You are signed in as ${signedIn}, but this link was sent to ${email}. Sign in as ${email} to confirm.`,
  actSignInOther: (email: string) => `Sign in as ${email}`,
  linkProblems: {
    'not-found': 'This link is unknown. Copy the whole link from the email, or sign in to the console.',
    'link-used': 'This link has already been used. Each link works once; sign in to the console to do more.',
    'link-expired': 'This link is no longer valid. Use the newest email, or sign in to the console.',
    'not-authorized-contact':
      'You are no longer an authorized contact who may grant access, so this link does nothing.',
    'grant-not-active': 'This access has ended and can no longer be extended.',
    unauthenticated: 'Your sign-in has expired. Sign in again to confirm.',
    forbidden: 'This link was sent to someone else: only they can use it, signed in as themselves.',
    'email-not-verified':
      'Your sign-in does not show a verified email address. Verify it with your identity provider and sign in again.',
  } as Record<string, string>,
  oneDay: '1 day',
  oneWeek: '1 week',
  days: (n: number) => `${n} days`,
  // The audit log as sentences.
  says: {
    'contact.added': (who: string, name: string) => `${who} added ${name} as a support contact.`,
    'contact.removed': (who: string, name: string) => `${who} removed ${name} as a support contact.`,
    'grant.created': (who: string, until: string, reason: string) =>
      `${who} granted support access until ${until} (${reason}).`,
    'grant.extended': (who: string, until: string) => `${who} changed the end of support access to ${until}.`,
    'grant.expiring': (until: string) => `Every contact was reminded that support access ends at ${until}.`,
    'grant.revoked': (who: string) => `${who} ended support access.`,
    'grant.revokedRemoved': 'Support access ended because the contact who granted it was removed.',
    'support.activity': (who: string, action: string) => `${who} reported: ${action}.`,
    'grant.expired': (until: string) => `Support access ended by itself at its deadline, ${until}.`,
    'access.checked': (who: string, yes: boolean) =>
      `${who} checked whether support may access the account: ${yes ? 'yes' : 'no'}.`,
    'instruction.requested': (who: string, kind: string) => `${who} gave an instruction: ${kind}.`,
    'instruction.confirmed': (who: string, kind: string) => `${who} confirmed the instruction: ${kind}.`,
    'instruction.rejected': (who: string, kind: string) => `${who} rejected the instruction: ${kind}.`,
    'instruction.lapsed': (_who: string, kind: string) => `The instruction lapsed unconfirmed: ${kind}.`,
    'instruction.completed': (who: string, kind: string) => `${who} carried out the instruction: ${kind}.`,
    'contact.verified': (who: string, yes: boolean) =>
      `${who} verified a caller: ${yes ? 'a registered contact' : 'not a registered contact'}.`,
    'notification.sent': (to: string) => `Email sent to ${to}.`,
    'notification.failed': (to: string) => `Email to ${to} could not be sent.`,
    viaLink: ' (by the link in an email)',
  },
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
  showDeliveries: (n: number) => `Zustellungen zeigen (${n})`,
  hideDeliveries: 'Zustellungen ausblenden',
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
  timeZone: 'Zeitzone',
  instructions: 'Weisungen an den Support',
  noInstructions: 'Noch keine Weisungen.',
  giveInstruction: 'Weisung erteilen',
  kind: 'Art',
  kinds: { 'account-deletion': 'Kontolöschung', 'data-export': 'Datenexport', other: 'Sonstiges' },
  instructionDetails: 'Was der Support tun soll',
  status: 'Status',
  statuses: {
    'pending-confirmation': 'wartet auf einen zweiten Kontakt',
    confirmed: 'bestätigt',
    rejected: 'abgelehnt',
    lapsed: 'verfallen',
    done: 'ausgeführt',
  },
  requestedByLabel: 'Erteilt von',
  confirmBy: 'Bestätigen bis',
  confirm: 'Bestätigen',
  reject: 'Ablehnen',
  queue: 'Bestätigte Weisungen zur Ausführung, älteste zuerst',
  noQueue: 'Keine bestätigte Weisung wartet.',
  note: 'Vermerk',
  markDone: 'Als ausgeführt markieren',
  actConfirmInstruction: (tenant: string, kind: string) =>
    `Die Weisung für das Konto ${tenant} bestätigen: ${kind}?`,
  actRejectInstruction: (tenant: string, kind: string) =>
    `Die Weisung für das Konto ${tenant} ablehnen: ${kind}?`,
  actConfirmButton: 'Ja, bestätigen',
  actRejectButton: 'Ja, ablehnen',
  actConfirmed: 'Die Weisung ist bestätigt; der Support führt sie aus.',
  actRejected: 'Die Weisung ist abgelehnt.',
  actNotPending: 'Diese Weisung wartet nicht mehr auf eine Entscheidung.',
  pastGrants: 'Beendete Supportzugriffe',
  noPastGrants: 'Es wurde noch kein Supportzugriff beendet.',
  receipt: 'Quittung',
  receiptTitle: (reason: string) => `Quittung: was der Support getan hat (${reason})`,
  accessChecks: 'Zugriffsprüfungen',
  callerVerifications: 'Anruferprüfungen',
  agents: 'Supportmitarbeitende',
  activities: 'Tätigkeiten',
  noActivities: 'Es wurden keine Tätigkeiten gemeldet.',
  auditHead: 'Audit-Prüfsumme (aufbewahren, um den Log später zu prüfen)',
  ended: 'Beendet',
  download: 'Prüfbares Audit-Log herunterladen',
  downloaded: (n: number, head: string) =>
    `${n} verkettete Ereignisse heruntergeladen; Prüfsumme ${head}. Offline prüfen mit npm run verify-audit.`,
  activeGrants: 'Aktive Supportzugriffe, frühestes Ende zuerst',
  noActiveGrants: 'Kein Mandant hat Supportzugriff gewährt.',
  more: 'Weitere',
  ends: 'Endet',
  actTitle: 'Supportzugriff',
  actAs: (name: string, email: string) => `Sie handeln als ${name} <${email}>.`,
  actEnd: (tenant: string) => `Supportzugriff auf das Konto ${tenant} jetzt beenden?`,
  actExtend: (tenant: string, by: string) => `Supportzugriff auf das Konto ${tenant} um ${by} verlängern?`,
  actNewDeadline: 'Neue Frist',
  actConfirmEnd: 'Ja, Zugriff jetzt beenden',
  actConfirmExtend: 'Ja, verlängern',
  actEnded: 'Der Supportzugriff ist beendet.',
  actExtended: 'Der Supportzugriff wurde verlängert.',
  actAlreadyEnded: 'Der Supportzugriff ist bereits beendet; es gibt nichts mehr zu tun.',
  actCannotExtend:
    'Dieser Zugriff ist beendet und kann nicht mehr verlängert werden. Gewähren Sie bei Bedarf in der Konsole neuen Zugriff.',
  actSignInFirst: (email: string) =>
    `Dieser Link gibt dem Support mehr Zugriff und wirkt deshalb nur für die Person, an die er ging: Melden Sie sich als ${email} an, um zu bestätigen.`,
  actSignIn: 'Anmelden und bestätigen',
  actWrongPerson: (signedIn: string, email: string) =>
    `Sie sind als ${signedIn} angemeldet, dieser Link ging aber an ${email}. Melden Sie sich als ${email} an, um zu bestätigen.`,
  actSignInOther: (email: string) => `Als ${email} anmelden`,
  linkProblems: {
    'not-found':
      'Dieser Link ist unbekannt. Kopieren Sie den ganzen Link aus der E-Mail, oder melden Sie sich in der Konsole an.',
    'link-used':
      'Dieser Link wurde bereits verwendet. Jeder Link wirkt einmal; melden Sie sich für mehr in der Konsole an.',
    'link-expired':
      'Dieser Link ist nicht mehr gültig. Nutzen Sie die neueste E-Mail, oder melden Sie sich in der Konsole an.',
    'not-authorized-contact':
      'Sie sind kein Kontakt mehr, der Zugriff gewähren darf; dieser Link bewirkt nichts.',
    'grant-not-active': 'Dieser Zugriff ist beendet und kann nicht mehr verlängert werden.',
    unauthenticated: 'Ihre Anmeldung ist abgelaufen. Melden Sie sich erneut an, um zu bestätigen.',
    forbidden:
      'Dieser Link ging an jemand anderen: Nur diese Person kann ihn nutzen, als sie selbst angemeldet.',
    'email-not-verified':
      'Ihre Anmeldung weist keine bestätigte E-Mail-Adresse aus. Bestätigen Sie sie bei Ihrem Identitätsanbieter und melden Sie sich erneut an.',
  },
  oneDay: '1 Tag',
  oneWeek: '1 Woche',
  days: (n: number) => `${n} Tage`,
  says: {
    'contact.added': (who: string, name: string) => `${who} hat ${name} als Supportkontakt eingetragen.`,
    'contact.removed': (who: string, name: string) => `${who} hat ${name} als Supportkontakt entfernt.`,
    'grant.created': (who: string, until: string, reason: string) =>
      `${who} hat Supportzugriff bis ${until} gewährt (${reason}).`,
    'grant.extended': (who: string, until: string) =>
      `${who} hat das Ende des Supportzugriffs auf ${until} geändert.`,
    'grant.expiring': (until: string) =>
      `Alle Kontakte wurden erinnert, dass der Supportzugriff am ${until} endet.`,
    'grant.revoked': (who: string) => `${who} hat den Supportzugriff beendet.`,
    'grant.revokedRemoved': 'Der Supportzugriff endete, weil der gewährende Kontakt entfernt wurde.',
    'support.activity': (who: string, action: string) => `${who} meldet: ${action}.`,
    'grant.expired': (until: string) => `Der Supportzugriff endete von selbst mit seiner Frist, ${until}.`,
    'access.checked': (who: string, yes: boolean) =>
      `${who} hat geprüft, ob der Support auf das Konto zugreifen darf: ${yes ? 'ja' : 'nein'}.`,
    'instruction.requested': (who: string, kind: string) => `${who} hat eine Weisung erteilt: ${kind}.`,
    'instruction.confirmed': (who: string, kind: string) => `${who} hat die Weisung bestätigt: ${kind}.`,
    'instruction.rejected': (who: string, kind: string) => `${who} hat die Weisung abgelehnt: ${kind}.`,
    'instruction.lapsed': (_who: string, kind: string) => `Die Weisung ist unbestätigt verfallen: ${kind}.`,
    'instruction.completed': (who: string, kind: string) => `${who} hat die Weisung ausgeführt: ${kind}.`,
    'contact.verified': (who: string, yes: boolean) =>
      `${who} hat einen Anrufer geprüft: ${yes ? 'registrierter Kontakt' : 'kein registrierter Kontakt'}.`,
    'notification.sent': (to: string) => `E-Mail an ${to} gesendet.`,
    'notification.failed': (to: string) => `E-Mail an ${to} konnte nicht gesendet werden.`,
    viaLink: ' (über den Link in einer E-Mail)',
  },
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
