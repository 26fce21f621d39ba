import { httpHandler, json } from '../http/handler.ts';
import { viewLink } from '../use-cases/links.ts';

export const handler = httpHandler('viewActionLink', async (req, deps) =>
  json(200, await viewLink(deps, req.params.token, req.receivedAt)),
);
