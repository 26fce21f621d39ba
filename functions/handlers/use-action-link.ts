import { bearerPrincipal } from '../http/bearer.ts';
import { httpHandler, json } from '../http/handler.ts';
import { actOnLink } from '../use-cases/links.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'useActionLink',
  async (req, deps) =>
    json(
      200,
      await actOnLink(deps, req.params.token, req.receivedAt, () =>
        bearerPrincipal(req.headers.authorization),
      ),
    ),
  schedulingDeps,
);
