import { httpHandler, json } from '../http/handler.ts';
import { requestInstruction } from '../use-cases/instructions.ts';
import { schedulingDeps } from '../wiring/scheduling.ts';

export const handler = httpHandler(
  'requestInstruction',
  async (req, deps) =>
    json(201, await requestInstruction(deps, req.tenantId, req.auth.contact, req.body, req.receivedAt)),
  schedulingDeps,
);
