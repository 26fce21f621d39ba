import { LinkUsedError } from '../../../functions/domain/errors.ts';
import type { IdempotencyStore, LinkStore } from '../../../functions/domain/ports.ts';
import type { World } from './world.ts';

/** Emailed links in memory, by the hash of their token. */
export class FakeLinks implements LinkStore {
  constructor(private readonly world: World) {}

  issueLinks: LinkStore['issueLinks'] = async (links) => {
    if (
      links.some((l) => this.world.links.has(l.tokenHash)) ||
      new Set(links.map((l) => l.tokenHash)).size < links.length
    )
      throw new Error('An emailed link could not be stored.');
    for (const link of links) this.world.links.set(link.tokenHash, structuredClone(link));
  };

  getLink: LinkStore['getLink'] = async (tokenHash) => {
    const link = this.world.links.get(tokenHash);
    return link ? structuredClone(link) : null;
  };

  useLink: LinkStore['useLink'] = async (use) => {
    const link = this.world.links.get(use.tokenHash);
    if (!link || link.usedAt !== null) throw new LinkUsedError();
    link.usedAt = use.usedAt;
  };
}

/** Idempotency records in memory; an expired one counts as absent. */
export class FakeIdempotency implements IdempotencyStore {
  constructor(private readonly world: World) {}

  getIdempotency: IdempotencyStore['getIdempotency'] = async (scope, now) => {
    const record = this.world.idempotency.get(scope);
    if (!record || record.expiresAtEpochSeconds * 1000 <= now.getTime()) return null;
    return { requestHash: record.requestHash, statusCode: record.statusCode, body: record.body };
  };
}
