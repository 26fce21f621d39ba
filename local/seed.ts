import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addContact } from '../functions/use-cases/contacts.ts';
import type { Deps } from '../functions/use-cases/deps.ts';

export const DEMO_TENANT = 'acme';

/** The demo people; tokens for them are printed at start. */
export const DEMO_USERS = {
  admin: {
    label: 'Tenant admin (acme)',
    email: 'admin@acme.example',
    tenantId: DEMO_TENANT,
    roles: ['tenant-admin'],
  },
  anna: {
    label: 'Anna — contact (acme)',
    email: 'anna.schmidt@acme.example',
    tenantId: DEMO_TENANT,
    roles: [] as string[],
  },
  ben: {
    label: 'Ben — contact (acme)',
    email: 'ben.miller@acme.example',
    tenantId: DEMO_TENANT,
    roles: [] as string[],
  },
  agent: { label: 'Support agent', email: 'agent@vendor.example', roles: ['support-agent'] },
};

/** Seeds the demo tenant with two contacts on the first start of a data folder only. */
export async function seedDemoTenant(deps: Deps, dataDir: string): Promise<boolean> {
  const marker = join(dataDir, 'seeded');
  if (existsSync(marker)) return false;
  const existing = await deps.contacts.listContacts(DEMO_TENANT);
  if (existing.length === 0) {
    const now = deps.clock.now();
    await addContact(
      deps,
      DEMO_TENANT,
      DEMO_USERS.admin.email,
      { name: 'Anna Schmidt', email: DEMO_USERS.anna.email, phone: '030 1234567', locale: 'de' },
      now,
    );
    await addContact(
      deps,
      DEMO_TENANT,
      DEMO_USERS.admin.email,
      {
        name: 'Ben Miller',
        email: DEMO_USERS.ben.email,
        phone: '+44 20 7946 0958',
        locale: 'en',
        timeZone: 'Europe/London',
      },
      now,
    );
  }
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return true;
}
