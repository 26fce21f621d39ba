import { describe, expect, it } from 'vitest';
import { startGateway } from '../../local/gateway.ts';
import { freePort } from '../../local/ports.ts';

async function answerWith(timing: boolean | undefined) {
  const gateway = await startGateway({
    port: await freePort(),
    verifyToken: async () => ({ sub: 'x' }),
    loadHandler: async () => async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    },
    readiness: async () => ({ ready: true, components: {} }),
    ...(timing === undefined ? {} : { timing }),
  });
  try {
    const response = await fetch(`${gateway.url}/openapi.json`);
    await response.text();
    return response.headers.get('server-timing');
  } finally {
    await gateway.close();
  }
}

describe('the local gateway’s timing header (for the benchmark)', () => {
  it('names the token check and the function call when asked, and is absent otherwise, as from API Gateway', async () => {
    const timing = await answerWith(true);
    const invoke = Number(/invoke;dur=([\d.]+)/.exec(timing ?? '')?.[1]);
    expect(timing).toMatch(/^auth;dur=[\d.]+, invoke;dur=[\d.]+$/);
    expect(invoke).toBeGreaterThanOrEqual(29);
    expect(await answerWith(undefined)).toBeNull();
  });
});
