import type { NudgeEvent } from '../events/nudge-event.ts';
import { mergeProfiles } from './merge-profiles.ts';
import type { Profile } from './profile.ts';
import { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';
import { profileFromEvent } from './profile-from-event.ts';

/**
 * Folds one event into a profile: mergeProfiles(profile, profileFromEvent(event)). Events that do
 * not touch profiles (unknown track events, catalog updates) leave it as it is. Pure: version and
 * updated_at are the writer's business (fold-events).
 */
export function applyEvent(profile: Profile, event: NudgeEvent, config: ProfileConfig = defaultProfileConfig): Profile {
  const fragment = profileFromEvent(event, config);
  return fragment ? mergeProfiles(profile, fragment, config) : profile;
}
