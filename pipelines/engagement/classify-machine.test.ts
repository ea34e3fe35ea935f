import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyMachine, machineDefaults, type MachineCheck } from './classify-machine.ts';

const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const appleMail = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const outlook = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';
const gmailProxy = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const yahooProxy = 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html';
const late = 3600;

const cases: [string, MachineCheck, { is_machine: boolean; machine_reason: string | null }][] = [
  ['a person opening in a browser an hour later', { kind: 'open', method: 'GET', userAgent: chrome, secondsSinceIssued: late }, { is_machine: false, machine_reason: null }],
  ['a person opening in Apple Mail', { kind: 'open', method: 'GET', userAgent: appleMail, secondsSinceIssued: late }, { is_machine: false, machine_reason: null }],
  ['a person opening in Outlook (the client, not a scanner)', { kind: 'open', method: 'GET', userAgent: outlook, secondsSinceIssued: late }, { is_machine: false, machine_reason: null }],
  ['a person clicking a minute later', { kind: 'click', method: 'GET', userAgent: chrome, secondsSinceIssued: 60 }, { is_machine: false, machine_reason: null }],
  // Gmail and Yahoo fetch images through their proxy when the person opens the email: a human open.
  ["Gmail's image proxy, fetching when the person opens", { kind: 'open', method: 'GET', userAgent: gmailProxy, secondsSinceIssued: late }, { is_machine: false, machine_reason: null }],
  ["Yahoo's mail proxy, fetching when the person opens", { kind: 'open', method: 'GET', userAgent: yahooProxy, secondsSinceIssued: late }, { is_machine: false, machine_reason: null }],
  ["Gmail's image proxy on delivery (a prefetch)", { kind: 'open', method: 'GET', userAgent: gmailProxy, secondsSinceIssued: 1 }, { is_machine: true, machine_reason: 'too_soon_after_delivery' }],
  ['an image proxy following a link is no person', { kind: 'click', method: 'GET', userAgent: gmailProxy, secondsSinceIssued: late }, { is_machine: true, machine_reason: 'user_agent' }],
  ['a crawler clicking', { kind: 'click', method: 'GET', userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', secondsSinceIssued: late }, { is_machine: true, machine_reason: 'user_agent' }],
  ['a security gateway scanning links (Proofpoint)', { kind: 'click', method: 'GET', userAgent: 'Mozilla/5.0 (compatible; Proofpoint URL Defense)', secondsSinceIssued: late }, { is_machine: true, machine_reason: 'user_agent' }],
  ['a security gateway scanning links (Mimecast)', { kind: 'click', method: 'GET', userAgent: 'Mimecast', secondsSinceIssued: late }, { is_machine: true, machine_reason: 'user_agent' }],
  ['a script', { kind: 'click', method: 'GET', userAgent: 'python-requests/2.31', secondsSinceIssued: late }, { is_machine: true, machine_reason: 'user_agent' }],
  ['no user agent at all (browsers always send one)', { kind: 'click', method: 'GET', userAgent: undefined, secondsSinceIssued: late }, { is_machine: true, machine_reason: 'user_agent' }],
  ['an empty user agent', { kind: 'open', method: 'GET', userAgent: '  ', secondsSinceIssued: late }, { is_machine: true, machine_reason: 'user_agent' }],
  ['a HEAD click (scanners check the target without loading it)', { kind: 'click', method: 'HEAD', userAgent: chrome, secondsSinceIssued: late }, { is_machine: true, machine_reason: 'head_request' }],
  ['a HEAD on the pixel', { kind: 'open', method: 'head', userAgent: chrome, secondsSinceIssued: late }, { is_machine: true, machine_reason: 'head_request' }],
  ['HEAD wins over a known agent (the surer sign first)', { kind: 'click', method: 'HEAD', userAgent: 'Mimecast', secondsSinceIssued: 0 }, { is_machine: true, machine_reason: 'head_request' }],
  ['a click one second after sending', { kind: 'click', method: 'GET', userAgent: chrome, secondsSinceIssued: 1 }, { is_machine: true, machine_reason: 'too_soon_after_delivery' }],
  ['a click just at the click threshold', { kind: 'click', method: 'GET', userAgent: chrome, secondsSinceIssued: machineDefaults.clickTooSoonSeconds }, { is_machine: false, machine_reason: null }],
  ['an open within seconds of sending (prefetch on delivery)', { kind: 'open', method: 'GET', userAgent: appleMail, secondsSinceIssued: 4 }, { is_machine: true, machine_reason: 'too_soon_after_delivery' }],
  ['an open just at the open threshold', { kind: 'open', method: 'GET', userAgent: appleMail, secondsSinceIssued: machineDefaults.openTooSoonSeconds }, { is_machine: false, machine_reason: null }],
  ['an agent not reported (SendGrid) is not judged: a person, when late enough', { kind: 'open', method: 'GET', userAgent: null, secondsSinceIssued: late }, { is_machine: false, machine_reason: null }],
  ['an agent not reported, but seconds after sending: too soon', { kind: 'click', method: 'GET', userAgent: null, secondsSinceIssued: 1 }, { is_machine: true, machine_reason: 'too_soon_after_delivery' }],
  ['an issue time in the future (a skewed clock) counts as too soon', { kind: 'click', method: 'GET', userAgent: chrome, secondsSinceIssued: -30 }, { is_machine: true, machine_reason: 'too_soon_after_delivery' }],
  ['no issue time: timing is not judged', { kind: 'click', method: 'GET', userAgent: chrome, secondsSinceIssued: null }, { is_machine: false, machine_reason: null }],
];

for (const [name, check, expected] of cases) {
  test(name, () => assert.deepEqual(classifyMachine(check), expected));
}

test('thresholds can be tuned', () => {
  const check: MachineCheck = { kind: 'open', method: 'GET', userAgent: chrome, secondsSinceIssued: 20 };
  assert.equal(classifyMachine(check).is_machine, false);
  assert.equal(classifyMachine(check, { ...machineDefaults, openTooSoonSeconds: 30 }).is_machine, true);
});
