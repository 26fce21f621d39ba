import { httpHandler, json } from '../http/handler.ts';
import { rejectInstruction } from '../use-cases/instructions.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'rejectInstruction',
  async (req, deps) =>
    json(
      200,
      await rejectInstruction(deps, req.tenantId, req.params.instructionId, req.auth.contact, req.receivedAt),
    ),
  schedulingDeps,
);
