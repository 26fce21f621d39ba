import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DELIVERABLE_EVENT_TYPES } from '../../functions/domain/audit.ts';
import {
  EVENT_DETAILS,
  EVENT_TYPES,
  eventsJsonSchema,
  eventsJsonSchemaText,
} from '../../functions/domain/event-types.ts';
import * as z from '../../functions/validation/zod.ts';
import { sampleDetails } from '../support/event-samples.ts';

describe('the published JSON Schema of EventData', () => {
  it('is committed as generated (run `npm run openapi` after changing an event type)', () => {
    expect(readFileSync(new URL('../../docs/events.schema.json', import.meta.url), 'utf8')).toBe(
      eventsJsonSchemaText(),
    );
  });

  it('has one branch per deliverable type, told apart by `type`, each with the details zod derives for it', () => {
    const schema = eventsJsonSchema() as { oneOf: { properties: Record<string, { const?: string }> }[] };
    expect(schema.oneOf.map((branch) => branch.properties.type?.const)).toEqual([...DELIVERABLE_EVENT_TYPES]);
    for (const [i, type] of DELIVERABLE_EVENT_TYPES.entries()) {
      const { $schema: _, ...details } = z.toJSONSchema(EVENT_DETAILS[type]) as Record<string, unknown>;
      expect(schema.oneOf[i]?.properties.details).toEqual(details);
    }
  });

  it('requires every field of EventData, never a hash, and nothing else', () => {
    const schema = eventsJsonSchema() as {
      oneOf: { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> }[];
    };
    for (const branch of schema.oneOf) {
      expect(branch.required.sort()).toEqual([
        'actor',
        'at',
        'details',
        'eventId',
        'grantId',
        'tenantId',
        'type',
      ]);
      expect(branch.additionalProperties).toBe(false);
      expect(branch.properties.grantId).toEqual({ type: ['string', 'null'] });
    }
  });
});

describe('the event types', () => {
  it('are the keys of the details map; every one is delivered but the log’s records of its own mail', () => {
    expect(EVENT_TYPES.filter((type) => !type.startsWith('notification.'))).toEqual([
      ...DELIVERABLE_EVENT_TYPES,
    ]);
    expect(EVENT_TYPES).toContain('notification.sent');
    expect(EVENT_TYPES).toContain('notification.failed');
  });

  it('the tests’ sample details of every type are what the schema accepts', () => {
    const samples = sampleDetails('x', { ticket: null });
    for (const type of EVENT_TYPES)
      expect(EVENT_DETAILS[type].safeParse(samples[type]).success, type).toBe(true);
  });
});
