import schema from '../../docs/events.schema.json' with { type: 'json' };
import { httpHandler, json } from '../http/handler.ts';

export const handler = httpHandler('eventsSchema', async () =>
  json(200, schema, { 'content-type': 'application/schema+json', 'cache-control': 'max-age=300' }),
);
