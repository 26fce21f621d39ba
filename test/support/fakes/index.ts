import type { TestStores } from '../use-case-deps.ts';
import { FakeAuditChain, FakeAuditLog, FakeCheckRecords, FakeReceipts } from './audit.ts';
import { FakeContacts } from './contacts.ts';
import { FakeGrants } from './grants.ts';
import { FakeInstructions } from './instructions.ts';
import { FakeNotificationLedger } from './ledger.ts';
import { FakeIdempotency, FakeLinks } from './links.ts';
import { World } from './world.ts';

/** Every store in memory over one shared state, as the DynamoDB stores share one table. */
export function fakeStores(): TestStores & { world: World } {
  const world = new World();
  const grants = new FakeGrants(world);
  return {
    world,
    grants,
    contacts: new FakeContacts(world, grants),
    audit: new FakeAuditLog(world),
    chain: new FakeAuditChain(world),
    checks: new FakeCheckRecords(world),
    receipts: new FakeReceipts(world),
    instructions: new FakeInstructions(world),
    links: new FakeLinks(world),
    idempotency: new FakeIdempotency(world),
    ledger: new FakeNotificationLedger(world),
  };
}
