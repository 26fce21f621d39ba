import { fakeStores } from '../support/fakes/index.ts';
import { storeContract } from './suite.ts';

storeContract('in-memory fakes', async () => fakeStores());
