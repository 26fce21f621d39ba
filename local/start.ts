import { localEnv } from './env.ts';
import { DEMO_TENANT, DEMO_USERS } from './seed.ts';
import { EVENT_BUS, SCHEDULE_GROUP, startLocalStack } from './stack.ts';
import { signToken } from './tokens.ts';

/** `npm start`: the whole system on 127.0.0.1 until Ctrl-C. */
async function main() {
  const env = localEnv();
  // Started by a test or benchmark: stop once it is gone, however it ended (its own process
  // group keeps this stack from its signals). Before the stack is up there is nothing to stop
  // but the engines, and they stop with this process.
  let stopOnParentGone: () => void = () => process.exit(1);
  if (process.argv.includes('--stop-with-parent')) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stopOnParentGone();
    }, 1000).unref();
  }
  console.log(`Starting the local support-access stack (data in ${env.dataDir}) …`);
  const stack = await startLocalStack(env);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping …`);
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  stopOnParentGone = () => void stop('parent gone');

  const token = (user: keyof typeof DEMO_USERS) => signToken(stack.keys, DEMO_USERS[user]);
  const [admin, anna, ben, agent] = await Promise.all([
    token('admin'),
    token('anna'),
    token('ben'),
    token('agent'),
  ]);
  const api = stack.apiUrl;
  console.log(`
Support access grants — local stack ready${stack.seeded ? ` (demo tenant "${DEMO_TENANT}" seeded)` : ''}

  Admin console  ${api}/           (sign in at the local OpenID provider: it lists the demo users)
  API            ${api}            (health: ${api}/health, OpenAPI: ${api}/openapi.json)
  Email (SES)    ${stack.sesUrl}   (sent mail: ${stack.sesUrl}/store)
  Scheduler      ${stack.schedulerUrl}   (EventBridge Scheduler API, group ${SCHEDULE_GROUP})
  Event bus      ${stack.eventsUrl}   (EventBridge API, bus ${EVENT_BUS}; received: ${stack.eventsUrl}/events)
  DynamoDB Local ${stack.dynamodbUrl}
  OpenID         ${stack.oidcUrl}   (discovery: ${stack.oidcUrl}/.well-known/openid-configuration)

Demo tokens (valid 12 h; more with: npm run --silent token -- --email E [--tenant T] [--role R]):
  tenant admin of acme        ${DEMO_USERS.admin.email}
    ${admin}
  authorized contact (de)     ${DEMO_USERS.anna.email}
    ${anna}
  authorized contact (en)     ${DEMO_USERS.ben.email}
    ${ben}
  support agent               ${DEMO_USERS.agent.email}
    ${agent}

Grant support one hour of access as Anna:
  curl -s -X POST ${api}/tenants/${DEMO_TENANT}/grants \\
    -H 'Authorization: Bearer ${anna}' \\
    -H 'Content-Type: application/json' \\
    -d '{"reason":"Investigate the failed invoice export","ticket":"SUP-1234","durationSeconds":3600}'

Ask as the agent whether access is granted:
  curl -s ${api}/tenants/${DEMO_TENANT}/access -H 'Authorization: Bearer ${agent}'

Ctrl-C stops everything. The functions' log lines (JSON, metrics among them) follow.
`);
  await stack.sweepNow();
}

main().catch((error) => {
  console.error(`Could not start the local stack: ${(error as Error).message}`);
  process.exit(1);
});
