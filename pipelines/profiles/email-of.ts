import type { Profile } from './profile.ts';

/** The address to write to: the latest email trait when valid, else the first known address. */
export function emailOf(profile: Profile): string | null {
  const trait = profile.traits.email;
  if (typeof trait === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trait.trim())) return trait.trim().toLowerCase();
  return profile.identities.emails[0] ?? null;
}
