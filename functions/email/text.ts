/** The mails' words in both languages. */
export const TEXT = {
  de: {
    subject: {
      'grant.created': 'Supportzugriff gewährt',
      'grant.extended': 'Supportzugriff geändert',
      'grant.expiring': 'Supportzugriff endet bald',
      'grant.revoked': 'Supportzugriff beendet',
      'grant.expired': 'Supportzugriff abgelaufen',
    },
    intro: {
      'grant.created': (t: string) => `der Support hat jetzt Zugriff auf das Konto ${t}.`,
      'grant.extended': (t: string) => `die Frist des Supportzugriffs auf das Konto ${t} wurde geändert.`,
      'grant.expiring': (t: string) =>
        `der Supportzugriff auf das Konto ${t} endet bald. Braucht der Support länger, verlängern Sie ihn; sonst endet er von selbst.`,
      'grant.revoked': (t: string) => `der Supportzugriff auf das Konto ${t} wurde vorzeitig beendet.`,
      'grant.expired': (t: string) =>
        `der Supportzugriff auf das Konto ${t} ist abgelaufen und wurde automatisch beendet.`,
    },
    contact: {
      addedSelf: {
        subject: 'Sie sind jetzt Supportkontakt',
        intro: (t: string, by: string) =>
          `${by} hat Sie als autorisierten Supportkontakt des Kontos ${t} eingetragen. Der Support des Anbieters prüft Anrufer anhand dieser Liste.`,
      },
      addedOther: {
        subject: 'Neuer Supportkontakt',
        intro: (t: string, by: string, who: string) =>
          `${by} hat ${who} als autorisierten Supportkontakt des Kontos ${t} eingetragen.`,
      },
      removedSelf: {
        subject: 'Sie sind kein Supportkontakt mehr',
        intro: (t: string, by: string) =>
          `${by} hat Sie als Supportkontakt des Kontos ${t} entfernt. Sie können dort keinen Supportzugriff mehr gewähren und keine Weisungen mehr erteilen.`,
      },
      removedOther: {
        subject: 'Supportkontakt entfernt',
        intro: (t: string, by: string, who: string) =>
          `${by} hat ${who} als Supportkontakt des Kontos ${t} entfernt.`,
      },
    },
    instruction: {
      subject: {
        'instruction.requested': 'Weisung erteilt',
        'instruction.confirmed': 'Weisung bestätigt',
        'instruction.rejected': 'Weisung abgelehnt',
        'instruction.lapsed': 'Weisung verfallen',
        'instruction.completed': 'Weisung ausgeführt',
      },
      intro: {
        'instruction.requested': (t: string, four: boolean) =>
          four
            ? `für das Konto ${t} wurde eine Weisung erteilt. Ein zweiter Kontakt, der Weisungen erteilen darf, muss sie bestätigen, bevor der Support sie ausführt.`
            : `für das Konto ${t} wurde eine Weisung an den Support erteilt.`,
        'instruction.confirmed': (t: string) =>
          `die Weisung für das Konto ${t} ist bestätigt; der Support führt sie aus.`,
        'instruction.rejected': (t: string) =>
          `die Weisung für das Konto ${t} wurde abgelehnt und wird nicht ausgeführt.`,
        'instruction.lapsed': (t: string) =>
          `die Weisung für das Konto ${t} wurde nicht rechtzeitig bestätigt und ist verfallen; sie wird nicht ausgeführt.`,
        'instruction.completed': (t: string) => `der Support hat die Weisung für das Konto ${t} ausgeführt.`,
      },
      kinds: { 'account-deletion': 'Kontolöschung', 'data-export': 'Datenexport', other: 'Sonstiges' },
      kind: 'Art',
      requestedBy: 'Erteilt von',
      details: 'Inhalt',
      confirmBy: 'Zu bestätigen bis',
      confirmedBy: 'Bestätigt von',
      rejectedBy: 'Abgelehnt von',
      completedBy: 'Ausgeführt von',
      note: 'Vermerk',
      confirm: 'Bestätigen',
      reject: 'Ablehnen',
    },
    mayGrant: 'Darf Supportzugriff gewähren',
    mayInstruct: 'Darf Weisungen erteilen',
    yes: 'ja',
    no: 'nein',
    greeting: (name: string) => `Hallo ${name},`,
    grantedBy: 'Gewährt von',
    reason: 'Grund',
    ticket: 'Ticket',
    none: '—',
    deadline: 'Frist',
    previous: 'Bisherige Frist',
    endedAt: 'Beendet am',
    why: 'Grund des Endes',
    endReasons: {
      revoked: 'von einem Kontakt beendet',
      expired: 'Frist abgelaufen',
      'contact-removed': 'der gewährende Kontakt wurde entfernt',
    },
    links: {
      end: 'Zugriff jetzt beenden',
      extendDay: 'Um 1 Tag verlängern',
      extendWeek: 'Um 1 Woche verlängern',
      note: 'Diese Links gelten nur für Sie und jeweils einmal; die Seite fragt nach, bevor etwas geschieht.',
    },
    receipt: {
      title: 'Was der Support in dieser Zeit getan hat',
      accessChecks: 'Zugriffsprüfungen',
      callerVerifications: 'Anruferprüfungen',
      agents: 'Supportmitarbeitende',
      activities: 'Tätigkeiten',
      more: (n: number) => `… und ${n} weitere (siehe vollständige Quittung)`,
      url: 'Vollständige Quittung',
      head: 'Prüfsumme Ihres Audit-Logs (aufbewahren, um den Log später zu prüfen)',
      none: 'keine',
    },
    footer: (t: string) => `Sie erhalten diese Nachricht als autorisierter Supportkontakt des Kontos ${t}.`,
    footerRemoved: (t: string) =>
      `Sie erhalten diese Nachricht, weil Sie bis eben Supportkontakt des Kontos ${t} waren.`,
    dateLocale: 'de-DE',
  },
  en: {
    subject: {
      'grant.created': 'Support access granted',
      'grant.extended': 'Support access changed',
      'grant.expiring': 'Support access ends soon',
      'grant.revoked': 'Support access ended',
      'grant.expired': 'Support access expired',
    },
    intro: {
      'grant.created': (t: string) => `support now has access to the account ${t}.`,
      'grant.extended': (t: string) => `the deadline of support access to the account ${t} was changed.`,
      'grant.expiring': (t: string) =>
        `support access to the account ${t} ends soon. If support needs longer, extend it; otherwise it ends by itself.`,
      'grant.revoked': (t: string) => `support access to the account ${t} was ended early.`,
      'grant.expired': (t: string) =>
        `support access to the account ${t} has expired and was ended automatically.`,
    },
    contact: {
      addedSelf: {
        subject: 'You are now a support contact',
        intro: (t: string, by: string) =>
          `${by} registered you as an authorized support contact of the account ${t}. The vendor’s support checks callers against this list.`,
      },
      addedOther: {
        subject: 'New support contact',
        intro: (t: string, by: string, who: string) =>
          `${by} registered ${who} as an authorized support contact of the account ${t}.`,
      },
      removedSelf: {
        subject: 'You are no longer a support contact',
        intro: (t: string, by: string) =>
          `${by} removed you as a support contact of the account ${t}. You can no longer grant support access or give instructions there.`,
      },
      removedOther: {
        subject: 'Support contact removed',
        intro: (t: string, by: string, who: string) =>
          `${by} removed ${who} as a support contact of the account ${t}.`,
      },
    },
    instruction: {
      subject: {
        'instruction.requested': 'Instruction given',
        'instruction.confirmed': 'Instruction confirmed',
        'instruction.rejected': 'Instruction rejected',
        'instruction.lapsed': 'Instruction lapsed',
        'instruction.completed': 'Instruction carried out',
      },
      intro: {
        'instruction.requested': (t: string, four: boolean) =>
          four
            ? `an instruction was given for the account ${t}. A second contact who may give instructions must confirm it before support carries it out.`
            : `an instruction to support was given for the account ${t}.`,
        'instruction.confirmed': (t: string) =>
          `the instruction for the account ${t} is confirmed; support will carry it out.`,
        'instruction.rejected': (t: string) =>
          `the instruction for the account ${t} was rejected and will not be carried out.`,
        'instruction.lapsed': (t: string) =>
          `the instruction for the account ${t} was not confirmed in time and has lapsed; it will not be carried out.`,
        'instruction.completed': (t: string) =>
          `support has carried out the instruction for the account ${t}.`,
      },
      kinds: { 'account-deletion': 'account deletion', 'data-export': 'data export', other: 'other' },
      kind: 'Kind',
      requestedBy: 'Given by',
      details: 'Details',
      confirmBy: 'To be confirmed by',
      confirmedBy: 'Confirmed by',
      rejectedBy: 'Rejected by',
      completedBy: 'Carried out by',
      note: 'Note',
      confirm: 'Confirm',
      reject: 'Reject',
    },
    mayGrant: 'May grant support access',
    mayInstruct: 'May give instructions',
    yes: 'yes',
    no: 'no',
    greeting: (name: string) => `Hello ${name},`,
    grantedBy: 'Granted by',
    reason: 'Reason',
    ticket: 'Ticket',
    none: '—',
    deadline: 'Deadline',
    previous: 'Previous deadline',
    endedAt: 'Ended at',
    why: 'Why it ended',
    endReasons: {
      revoked: 'ended by a contact',
      expired: 'the deadline passed',
      'contact-removed': 'the contact who granted it was removed',
    },
    links: {
      end: 'End access now',
      extendDay: 'Extend by 1 day',
      extendWeek: 'Extend by 1 week',
      note: 'These links are yours alone and work once each; the page asks you to confirm before anything happens.',
    },
    receipt: {
      title: 'What support did in this time',
      accessChecks: 'Access checks',
      callerVerifications: 'Caller verifications',
      agents: 'Support agents',
      activities: 'Activities',
      more: (n: number) => `… and ${n} more (see the full receipt)`,
      url: 'Full receipt',
      head: 'Your audit log’s head hash (keep it to verify the log later)',
      none: 'none',
    },
    footer: (t: string) => `You receive this message as an authorized support contact of the account ${t}.`,
    footerRemoved: (t: string) =>
      `You receive this message because you were a support contact of the account ${t} until now.`,
    dateLocale: 'en-GB',
  },
} as const;
