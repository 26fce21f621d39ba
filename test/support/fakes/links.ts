import type { ActionLink, LinkUse } from '../../../functions/domain/action-link.ts';
import { LinkUsedError } from '../../../functions/domain/errors.ts';
import type { IdempotencyRecord, IdempotencyStore, LinkStore } from '../../../functions/domain/ports.ts';
import type { World } from './world.ts';

/** Emailed links in memory, by the hash of their token. */
export class FakeLinks implements LinkStore {
  constructor(private readonly world: World) {}

  async issueLinks(links: readonly ActionLink[]): Promise<void> {
    if (
      links.some((l) => this.world.links.has(l.tokenHash)) ||
      new Set(links.map((l) => l.tokenHash)).size < links.length
    )
      throw new Error('An emailed link could not be stored.');
    for (const link of links) this.world.links.set(link.tokenHash, structuredClone(link));
  }

  async getLink(tokenHash: string): Promise<ActionLink | null> {
    const link = this.world.links.get(tokenHash);
    return link ? structuredClone(link) : null;
  }

  async useLink(use: LinkUse): Promise<void> {
    const link = this.world.links.get(use.tokenHash);
    if (!link || link.usedAt !== null) throw new LinkUsedError();
    link.usedAt = use.usedAt;
  }
}

/** Idempotency records in memory; an expired one counts as absent. */
export class FakeIdempotency implements IdempotencyStore {
  constructor(private readonly world: World) {}

  async getIdempotency(scope: string, now: Date): Promise<IdempotencyRecord | null> {
    const record = this.world.idempotency.get(scope);
    if (!record || record.expiresAtEpochSeconds * 1000 <= now.getTime()) return null;
    return { requestHash: record.requestHash, statusCode: record.statusCode, body: record.body };
  }
}
