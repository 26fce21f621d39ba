import { NotFoundError } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { httpHandler, json } from '../http/handler.ts';
import { getGrant } from '../use-cases/grants.ts';

export const handler = httpHandler('getGrant', async (req, deps) => {
  const grantId = req.params.grantId ?? '';
  if (!ID_PATTERN.test(grantId)) throw new NotFoundError('Grant');
  return json(200, await getGrant(deps, req.tenantId as string, grantId, deps.clock.now()));
});
