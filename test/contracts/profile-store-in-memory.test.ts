import { createInMemoryProfileStore } from '../../pipelines/profiles/in-memory-profile-store.ts';
import { runProfileStoreContract } from './profile-store.contract.ts';

// The test double must keep the same promises as the real adapters, or tests built on it lie.
// One store per namespace: every "handle" is that store, as its transactions run one at a time.
runProfileStoreContract('in-memory', async () => ({
  createNamespace: async () => {
    const store = createInMemoryProfileStore();
    return { open: async () => store };
  },
}));
