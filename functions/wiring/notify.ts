import { sesClient } from '../adapters/aws-clients.ts';
import { SesMailer } from '../adapters/mailer.ts';
import { systemClock } from '../domain/clock.ts';
import { ulidGenerator } from '../domain/ids.ts';
import type { NotifyDeps } from '../use-cases/notify.ts';
import { SendPacer } from '../use-cases/pacing.ts';
import { appStores, log } from './app.ts';
import { mailConfig } from './config.ts';

let deps: NotifyDeps | undefined;

/** The notifier's wiring, once per cold start. */
export function notifyDeps(): NotifyDeps {
  if (!deps) {
    const stores = appStores();
    const mail = mailConfig();
    const mailer = new SesMailer(sesClient(), mail.MAIL_FROM);
    deps = {
      contacts: stores.contacts,
      links: stores.links,
      grants: stores.grants,
      receipts: stores.receipts,
      chain: stores.chain,
      consoleUrl: mail.CONSOLE_URL,
      mailStyle: { brand: mail.MAIL_BRAND_NAME },
      ledger: stores.ledger,
      mailer,
      // One pacer per instance: every send of it shares the account's rate.
      pacer: new SendPacer({
        quota: () => mailer.quota(),
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log,
      }),
      clock: systemClock,
      ids: ulidGenerator(),
      log,
      maxAttempts: 5,
      leaseMs: 60_000,
    };
  }
  return deps;
}
