import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ActionLink, LINK_ACTIONS, type LinkUse } from '../../domain/action-link.ts';
import { LinkUsedError } from '../../domain/errors.ts';
import type { LinkStore } from '../../domain/ports.ts';
import { countOrNull, oneOf, text, textOrNull } from './fields.ts';
import { keys } from './keys.ts';
import { type Item, isConditionFailure, type Table } from './table.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

/** A link's record stays this long after it stopped working, so it answers "used"/"expired", not "unknown". */
const KEPT_AFTER_VALIDITY_SECONDS = 30 * 86_400;

function toLink(item: Item): ActionLink {
  return {
    tokenHash: text(item, 'tokenHash'),
    tenantId: text(item, 'tenantId'),
    grantId: textOrNull(item, 'grantId'),
    instructionId: textOrNull(item, 'instructionId'),
    contactId: text(item, 'contactId'),
    action: oneOf(item, 'action', LINK_ACTIONS),
    extendBySeconds: countOrNull(item, 'extendBySeconds'),
    createdAt: text(item, 'createdAt'),
    validUntil: text(item, 'validUntil'),
    usedAt: textOrNull(item, 'usedAt'),
  };
}

/** Emailed one-click links, keyed by the SHA-256 of their token (the token itself is never stored). */
export class DynamoLinks implements LinkStore {
  constructor(private readonly table: Table) {}

  /**
   * One conditional put each, side by side, not a transaction: a mail is sent only once all are
   * written, and the links of a try that failed halfway were never mailed (their tokens are
   * gone with it). A transaction would bill each link twice.
   */
  async issueLinks(links: readonly ActionLink[]): Promise<void> {
    const written = await Promise.all(
      links.map((link) =>
        this.table.writeIf({
          Put: {
            Item: {
              pk: keys.link(link.tokenHash),
              sk: keys.linkSort,
              kind: 'link',
              ...link,
              [TTL_ATTRIBUTE]: Math.ceil(Date.parse(link.validUntil) / 1000) + KEPT_AFTER_VALIDITY_SECONDS,
            },
            // 256 random bits do not collide; should one ever, it must not replace another's link.
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        }),
      ),
    );
    if (written.includes(false)) throw new Error('An emailed link could not be stored.');
  }

  async getLink(tokenHash: string): Promise<ActionLink | null> {
    const item = await this.table.getItem(keys.link(tokenHash), keys.linkSort);
    return item ? toLink(item) : null;
  }

  /** Uses a link that changes nothing (ending a grant that has already ended); once, like every use. */
  async useLink(use: LinkUse): Promise<void> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: keys.link(use.tokenHash), sk: keys.linkSort },
          UpdateExpression: 'SET usedAt = :usedAt',
          ConditionExpression: 'attribute_exists(pk) AND usedAt = :unused',
          ExpressionAttributeValues: { ':usedAt': use.usedAt, ':unused': null },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new LinkUsedError();
      throw error;
    }
  }
}
