import document from '../../docs/openapi.json' with { type: 'json' };
import { httpHandler, json } from '../http/handler.ts';

export const handler = httpHandler('openapi', async () =>
  json(200, document, {
    'content-type': 'application/vnd.oai.openapi+json;version=3.1',
    'cache-control': 'max-age=300',
  }),
);
