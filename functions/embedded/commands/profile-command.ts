import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { dataDirOf } from '../config.ts';
import { createSqliteProfileStore } from '../sqlite-profile-store.ts';
import { identityKey } from '../../../pipelines/profiles/identity-key.ts';
import type { ProfileStore } from '../../../pipelines/profiles/profile-store.ts';
import { readSurvivingProfile } from '../../../pipelines/profiles/surviving-profile.ts';
import { viewProfile } from '../../../pipelines/profiles/view-profile.ts';

/**
 * `nudge profile <id>`: SQLite lets this process read while the runtime writes, so it opens the
 * profile store directly. The id may be a user id, an email, an anonymous id or a person id;
 * merged persons are followed to the surviving profile.
 */
export async function runProfileCommand(id: string, env: Readonly<Record<string, string | undefined>>, out: Writable): Promise<number> {
  const dataDir = dataDirOf(env);
  const file = join(dataDir, 'profiles.db');
  if (!existsSync(file)) {
    console.error(`nudge: no profiles yet in ${dataDir} (start the runtime and send events first)`);
    return 1;
  }
  const store = createSqliteProfileStore({ database: file });
  try {
    const personId = await findPerson(store, id);
    const profile = personId === null ? null : await readSurvivingProfile(store.getProfile, personId);
    if (!profile) {
      console.error(`nudge: no profile for "${id}" (tried user id, email, anonymous id and person id)`);
      return 1;
    }
    // Pending journey steps (e.g. the cart reminder and when it is due) belong with the person.
    const timers = await store.listTimers(profile.person_id);
    out.write(JSON.stringify({ ...viewProfile(profile), journey_timers: timers }, null, 2) + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

async function findPerson(store: ProfileStore, id: string): Promise<string | null> {
  const candidates = id.includes('@') ? [identityKey('email', id), identityKey('user', id)] : [identityKey('user', id), identityKey('anon', id)];
  for (const key of candidates) {
    const personId = await store.findPersonId(key);
    if (personId) return personId;
  }
  return (await store.getProfile(id)) ? id : null;
}
