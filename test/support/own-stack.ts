import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type SpawnedStack, spawnStack } from '../../local/spawn-stack.ts';
import { localKeys, signToken } from '../../local/tokens.ts';

/** An answer of the local API: its status and its JSON body (null when there is none). */
export interface Answer {
  status: number;
  body: any;
}

/**
 * A local stack of the test file's own, in its own data folder on free ports, stopped and removed
 * after the file: for tests that stop, crash or restart it, or start it with other settings.
 */
export function ownStack(name: string) {
  let current: SpawnedStack | undefined;
  let dataDir = '';
  afterAll(async () => {
    await current?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  const stack = () => {
    if (!current) throw new Error('the stack has not been started');
    return current;
  };
  return {
    stack,
    async start(env: Record<string, string> = {}): Promise<SpawnedStack> {
      dataDir = await mkdtemp(join(tmpdir(), `support-access-${name}-`));
      current = await spawnStack(dataDir, 'fresh', env);
      return current;
    },
    /** Starts it again on the same data and ports, after a stop or a crash. */
    async restart(): Promise<SpawnedStack> {
      current = await spawnStack(dataDir, stack().ports);
      return current;
    },
    /** A token of the local identity provider's keys for this stack. */
    async token(claims: { email: string; tenantId: string; roles?: string[] }): Promise<string> {
      return signToken(await localKeys(dataDir), claims);
    },
    /**
     * The seeded tenant's people: Anna (a contact who may grant access) and its admin, with the
     * API as the admin (or as whoever's token is given).
     */
    async acme() {
      const anna = await this.token({ email: 'anna.schmidt@acme.example', tenantId: 'acme' });
      const admin = await this.token({
        email: 'admin@acme.example',
        tenantId: 'acme',
        roles: ['tenant-admin'],
      });
      const api = (path: string, init: RequestInit = {}, token = admin) => this.api(path, token, init);
      return { anna, admin, api };
    },
    async api(path: string, token: string, init: RequestInit = {}): Promise<Answer> {
      const r = await fetch(`${stack().apiUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
  };
}
