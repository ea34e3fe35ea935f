import { createInMemoryInterestStore } from '../../pipelines/product-interest/in-memory-interest-store.ts';
import { runInterestStoreContract } from './interest-store.contract.ts';

// The test double keeps the same promises as the real adapters, or tests built on it lie.
// One store per namespace: every "handle" is that store.
runInterestStoreContract('in-memory', async () => ({
  createNamespace: async (retention) => {
    const store = createInMemoryInterestStore(retention);
    return { open: async () => store };
  },
}));
