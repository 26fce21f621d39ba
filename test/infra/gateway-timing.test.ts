import { describe, expect, it, vi } from 'vitest';
import { startGateway } from '../../local/gateway.ts';
import { freePort } from '../../local/ports.ts';
import { verifiedOnce } from '../../local/tokens.ts';

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
  it('names the gateway’s whole part, its token check and its function call when asked, and is absent otherwise, as from API Gateway', async () => {
    const timing = await answerWith(true);
    const duration = (name: string) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(timing ?? '')?.[1]);
    expect(timing).toMatch(/^gateway;dur=[\d.]+, auth;dur=[\d.]+, invoke;dur=[\d.]+$/);
    expect(duration('invoke')).toBeGreaterThanOrEqual(29);
    expect(duration('gateway')).toBeGreaterThanOrEqual(duration('invoke') + duration('auth'));
    expect(await answerWith(undefined)).toBeNull();
  });
});

describe('the local gateway’s token check', () => {
  it('verifies a token once and takes it again until its expiry, never after', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T10:00:00Z') });
    try {
      const now = Date.now() / 1000;
      let verifications = 0;
      const verify = verifiedOnce(async (token) => {
        verifications++;
        if (token === 'expired' || verifications > 2) throw new Error('rejected');
        return { sub: 'x', exp: now + 60 };
      });
      expect(await verify('good')).toMatchObject({ sub: 'x' });
      expect(await verify('good')).toMatchObject({ sub: 'x' });
      expect(verifications).toBe(1);
      vi.setSystemTime(Date.now() + 61_000);
      // Past its expiry it is verified afresh (and this verifier now rejects everything).
      await expect(verify('good')).resolves.toMatchObject({ sub: 'x' });
      expect(verifications).toBe(2);
      await expect(verify('expired')).rejects.toThrow('rejected');
    } finally {
      vi.useRealTimers();
    }
  });
});
