import { httpHandler, json } from '../http/handler.ts';
import { confirmInstruction } from '../use-cases/instructions.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'confirmInstruction',
  async (req, deps) =>
    json(
      200,
      await confirmInstruction(
        deps,
        req.tenantId,
        req.params.instructionId,
        req.auth.contact,
        req.receivedAt,
      ),
    ),
  schedulingDeps,
);
