import type { Profile } from './profile.ts';

/** merged_into chains are short (each merge relinks identity keys); this bounds a corrupt cycle. */
export const maxMergeChainHops = 8;

/**
 * The profile a person id ends up in: follows merged_into from a person absorbed by a stitch or
 * an alias to the surviving one. `read` is a store's getProfile or a transaction's single read.
 */
export async function readSurvivingProfile(read: (personId: string) => Promise<Profile | null | undefined>, personId: string): Promise<Profile | null> {
  let id: string | null = personId;
  for (let hop = 0; id && hop <= maxMergeChainHops; hop++) {
    const profile: Profile | null | undefined = await read(id);
    if (!profile) return null;
    if (!profile.merged_into) return profile;
    id = profile.merged_into;
  }
  return null;
}
