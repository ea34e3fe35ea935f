/** The profiles stage: identity stitching, order-independent merge, batched folding. */
export { applyEvent } from './apply-event.ts';
export { createCoalescer, eventCoalesceKey, type Coalescer, type CoalescerOptions, type CoalescerTimers } from './coalesce.ts';
export { createFoldEvents, createPersonIdFactory, type FoldEventsDeps, type FoldOutcome, type FoldResult } from './fold-events.ts';
export { allIdentityKeys, identityKey, identityKeysOf, parseIdentityKey, type EventIdentityKeys, type IdentityKey, type IdentityKind } from './identity-key.ts';
export { createInMemoryProfileStore, type InMemoryProfileStore, type InMemoryProfileStoreOptions } from './in-memory-profile-store.ts';
export { mergeProfiles } from './merge-profiles.ts';
export * from './profile.ts';
export { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';
export { profileFromEvent, touchesProfile } from './profile-from-event.ts';
export type { ProfileStore, ProfileTx } from './profile-store.ts';
export { affinitiesAt, viewProfile, type ProfileView } from './view-profile.ts';
