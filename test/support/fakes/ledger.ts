import { ConcurrentModificationError } from '../../../functions/domain/errors.ts';
import type { NotificationKey, NotificationLedger } from '../../../functions/domain/ports.ts';
import { shorten } from '../../../functions/domain/text.ts';
import type { World } from './world.ts';

const keyOf = (k: NotificationKey) => `${k.tenantId}#${k.eventId}#${k.contactId}`;

/** The notification ledger in memory: a claim is a lease, taken over once it has run out. */
export class FakeNotificationLedger implements NotificationLedger {
  constructor(private readonly world: World) {}

  claim: NotificationLedger['claim'] = async (key, owner, now, leaseMs) => {
    const entry = this.world.notifications.get(keyOf(key));
    const free =
      !entry ||
      entry.status === 'retry' ||
      (entry.status === 'sending' && entry.leaseUntil !== null && entry.leaseUntil < now.getTime());
    if (!free) return null;
    const attempts = (entry?.attempts ?? 0) + 1;
    this.world.notifications.set(keyOf(key), {
      status: 'sending',
      owner,
      leaseUntil: now.getTime() + leaseMs,
      attempts,
      lastError: entry?.lastError ?? null,
    });
    return { attempts };
  };

  settle: NotificationLedger['settle'] = async (key, owner, status, event) => {
    const entry = this.world.notifications.get(keyOf(key));
    if (entry?.owner !== owner || entry.status !== 'sending' || this.world.hasEvent(event))
      throw new ConcurrentModificationError('The notification claim was lost before it was settled.');
    entry.status = status;
    entry.leaseUntil = null;
    this.world.writeEvent(event);
  };

  release: NotificationLedger['release'] = async (key, owner, error, { countAttempt = true } = {}) => {
    const entry = this.world.notifications.get(keyOf(key));
    if (entry?.owner !== owner || entry.status !== 'sending') return;
    entry.status = 'retry';
    entry.lastError = shorten(error, 500);
    entry.leaseUntil = null;
    if (!countAttempt) entry.attempts--;
  };
}
