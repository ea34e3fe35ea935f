import { resolve } from 'node:path';
import { embeddedDefaults } from '../config.ts';

/**
 * The data dir a command reads (NUDGE_DATA_DIR, else ./.nudge), worked out without side effects:
 * parseEmbeddedConfig makes the dir and its development keys, which a command that only reads must
 * not do — pointed at the wrong dir it would leave a fresh empty state there and report "nothing".
 */
export function dataDirOf(env: Readonly<Record<string, string | undefined>>): string {
  return resolve(env.NUDGE_DATA_DIR || embeddedDefaults.dataDir);
}
