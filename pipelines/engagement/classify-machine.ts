import { isbot } from 'isbot';

/**
 * Tells machine opens and bot clicks from people's. Many opens are not people: mail privacy proxies
 * and image prefetchers fetch every image on delivery, and security gateways follow every link
 * before the recipient sees the message. Such hits are kept (email_events.is_machine) but the KPI
 * views count only human ones. Pure: the endpoint passes what it saw.
 *
 * Checks in order of certainty, the first that fires names the reason:
 *   head_request             a person's mail client or browser GETs; a HEAD only checks a target exists.
 *   user_agent               a known bot (isbot) or a link scanner, or no agent at all (every
 *                            browser and mail client sends one). Gmail's and Yahoo's image proxies
 *                            open on the person's behalf and count as people for opens.
 *   too_soon_after_delivery  a person needs a few seconds to open an email, and longer to click in it.
 * Some machines (Apple Mail Privacy Protection) look like people on every count and are counted
 * as human: the thresholds stay short so that people who read at once are not lost instead.
 */

export type MachineCheck = {
  kind: 'open' | 'click';
  /** The HTTP method (any case). */
  method: string;
  /**
   * The User-Agent the request carried (undefined: none, itself a sign of a machine), or null when
   * the hit was reported by someone who does not always pass it on (SendGrid's webhook): then the
   * agent is not judged, only the method and the timing.
   */
  userAgent: string | undefined | null;
  /** Seconds from the token's issue (the send) to the hit; null when the token has no issue time. */
  secondsSinceIssued: number | null;
};

export type MachineVerdict = { is_machine: boolean; machine_reason: MachineReason | null };
export type MachineReason = 'head_request' | 'user_agent' | 'too_soon_after_delivery';

export const machineDefaults = {
  /** An open sooner than this after sending is taken for a prefetch on delivery (iat is the send, a little before delivery). */
  openTooSoonSeconds: 5,
  /** A click sooner than this after sending is a link scanner: nobody opens, reads and clicks in 2 s. */
  clickTooSoonSeconds: 2,
} as const;

export type MachineSettings = { openTooSoonSeconds: number; clickTooSoonSeconds: number };

// Link scanners and security gateways isbot (a list of crawlers) may not name. Substrings, any
// case; each is a product name that no person's browser or mail client puts in its user agent.
const mailMachines = /proofpoint|mimecast|barracuda|messagelabs|ironport|trendmicro|forcepoint|sophos|fireeye|bitdefender|safelinks|linkscanner/i;

// Gmail and Yahoo Mail load an email's images through their own proxy when the person opens it
// (not on delivery, unlike Apple's privacy protection): for an open that is a person, although
// isbot lists the proxies. A prefetch on delivery is still caught by the timing rule, and a proxy
// following a link is no person.
const openOnBehalfOfPerson = /googleimageproxy|yahoomailproxy/i;

export function classifyMachine(check: MachineCheck, settings: MachineSettings = machineDefaults): MachineVerdict {
  if (check.method.toUpperCase() === 'HEAD') return machine('head_request');
  if (check.userAgent !== null) {
    const agent = check.userAgent?.trim() ?? '';
    const personsProxy = check.kind === 'open' && openOnBehalfOfPerson.test(agent);
    if (!personsProxy && (agent === '' || mailMachines.test(agent) || isbot(agent) || openOnBehalfOfPerson.test(agent))) return machine('user_agent');
  }
  const threshold = check.kind === 'open' ? settings.openTooSoonSeconds : settings.clickTooSoonSeconds;
  if (check.secondsSinceIssued !== null && check.secondsSinceIssued < threshold) return machine('too_soon_after_delivery');
  return { is_machine: false, machine_reason: null };
}

function machine(reason: MachineReason): MachineVerdict {
  return { is_machine: true, machine_reason: reason };
}
