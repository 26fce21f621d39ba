import { httpHandler, json } from '../http/handler.ts';
import { grantReceipt, RECEIPT_PAGE } from '../use-cases/audit.ts';

export const handler = httpHandler('grantReceipt', async (req, deps) =>
  json(
    200,
    await grantReceipt(deps, req.tenantId, req.params.grantId, req.receivedAt, {
      limit: req.query.limit ?? RECEIPT_PAGE,
      cursor: req.query.cursor,
    }),
  ),
);
