import { scoreAffinities } from './affinities.ts';
import type { Profile } from './profile.ts';
import { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';

/** A profile as people and templates read it: the views, without the merge machinery. */
export type ProfileView = Omit<Profile, 'clocks' | 'state'>;

/**
 * Strips `clocks` and `state` (what the merge needs, not what a reader wants). With `at`, the
 * category scores are decayed to that instant instead of the person's last categorised activity
 * (same ranking, smaller numbers as time passes).
 */
export function viewProfile(profile: Profile, options: { at?: Date; config?: ProfileConfig } = {}): ProfileView {
  const { clocks: _clocks, state: _state, ...view } = profile;
  if (!options.at) return view;
  return { ...view, category_affinities: affinitiesAt(profile, options.at, options.config) };
}

/** Category scores decayed to `at`, highest first. */
export function affinitiesAt(profile: Profile, at: Date, config: ProfileConfig = defaultProfileConfig): Profile['category_affinities'] {
  return { ...scoreAffinities(profile.state.affinity_days, config, at.toISOString()), half_life_days: config.affinityHalfLifeDays };
}
