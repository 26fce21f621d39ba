import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../functions/domain/action-link.ts';
import { actOnLink, viewLink } from '../../functions/use-cases/links.ts';
import { givenActiveGrant } from '../support/deps.ts';
import { as, DAY, linksIn, mailed, outcome } from '../support/scenarios.ts';

const mailedGrant = async () => mailed(await givenActiveGrant({ seconds: 3 * DAY }));

describe('one-click links (DynamoDB Local)', () => {
  it('are mailed per contact who may grant, stored only hashed, and GET changes nothing', async () => {
    const { deps, stores, tableName, doc, mailTo, events } = await mailedGrant();
    const ada = linksIn(mailTo('ada@acme.test'));
    expect(Object.keys(ada)).toEqual([
      'Zugriff jetzt beenden',
      'Um 1 Tag verlängern',
      'Um 1 Woche verlängern',
    ]);
    expect(Object.keys(linksIn(mailTo('bob@acme.test')))).toEqual([
      'End access now',
      'Extend by 1 day',
      'Extend by 1 week',
    ]);
    expect(linksIn(mailTo('cy@acme.test'))).toEqual({});
    const tokens = Object.values(ada);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { Items = [] } = await doc.send(new ScanCommand({ TableName: tableName }));
    const stored = JSON.stringify(Items);
    for (const token of tokens) expect(stored).not.toContain(token);
    expect(Items.filter((i) => i.kind === 'link')).toHaveLength(6);

    const before = (await events()).length;
    const end = ada['Zugriff jetzt beenden'] as string;
    const view = await viewLink(deps, end, deps.clock.now());
    await viewLink(deps, end, deps.clock.now());
    expect(view).toMatchObject({
      action: 'end',
      tenantId: 'acme',
      grant: { status: 'active' },
      contact: { name: 'ada', email: 'ada@acme.test', locale: 'de' },
    });
    expect((await events()).length).toBe(before);
    expect((await stores.links.getLink(hashToken(end)))?.usedAt).toBeNull();
  });

  it('"Extend by 1 day" moves the current deadline once, even when clicked twice at once', async () => {
    const { deps, clock, grant, mailTo, events } = await mailedGrant();
    const extend = linksIn(mailTo('bob@acme.test'))['Extend by 1 day'] as string;
    const results = await Promise.all([
      outcome(actOnLink(deps, extend, clock.now(), as('bob@acme.test'))),
      outcome(actOnLink(deps, extend, clock.now(), as('bob@acme.test'))),
    ]);
    expect(results.sort()).toEqual(['link-used', 'ok']);
    const extended = (await events()).filter((e) => e.type === 'grant.extended');
    expect(extended).toHaveLength(1);
    expect(extended[0]).toMatchObject({
      actor: 'bob@acme.test',
      details: {
        channel: 'email-link',
        previousExpiresAt: grant.expiresAt,
        expiresAt: '2026-12-05T10:00:00.000Z',
      },
    });
  });
});
