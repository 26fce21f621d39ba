import { httpHandler, json } from '../http/handler.ts';
import { completeInstruction } from '../use-cases/instructions.ts';

export const handler = httpHandler('completeInstruction', async (req, deps) => {
  const agent = req.auth.principal.email ?? req.auth.principal.sub;
  return json(
    200,
    await completeInstruction(
      deps,
      req.tenantId,
      req.params.instructionId,
      agent,
      req.body.note,
      req.receivedAt,
    ),
  );
});
