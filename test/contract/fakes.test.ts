import { fakeStores } from '../support/fakes/index.ts';
import { FakeWebhooks } from '../support/fakes/webhooks.ts';
import { storeContract } from './suite.ts';
import { webhookDeliveryContract } from './webhook-suite.ts';

storeContract('in-memory fakes', async () => fakeStores());
webhookDeliveryContract('in-memory fakes', async () => new FakeWebhooks());
