import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readSendGridEvent } from './read-sendgrid-event.ts';
import { EmailEvent, suppressionOfEmailEvent } from './email-event.ts';

const received = new Date('2026-12-01T10:00:00.000Z');
const at = Date.UTC(2026, 11, 1, 9, 59, 30) / 1000;
const base = { email: 'Ann@Example.com', timestamp: at, sg_event_id: 'ev-1', sg_message_id: 'msg-1.filter', send_id: 'send-1', campaign_id: 'cart-abandonment', variant_id: 'a' };

const read = (event: Record<string, unknown>) => {
  const result = readSendGridEvent({ ...base, ...event }, 3, received);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.read;
};

describe('readSendGridEvent: one SendGrid webhook event → the email_events row it carries', () => {
  test('a delivered event: ids, instants, no address anywhere in the row', () => {
    const { row, campaign_id, suppressed_address } = read({ event: 'delivered', response: '250 OK ann@example.com' });
    assert.deepEqual(row, {
      email_event_id: 'sendgrid:ev-1', send_id: 'send-1', event_type: 'delivered', source: 'sendgrid',
      occurred_at: '2026-12-01T09:59:30.000Z', received_at: '2026-12-01T10:00:00.000Z', is_machine: false, machine_reason: null,
      bounce_type: null, status_code: null, url: null, link_index: null, provider_message_id: 'msg-1.filter',
    });
    assert.equal(campaign_id, 'cart-abandonment');
    assert.equal(suppressed_address, null);
    assert.doesNotMatch(JSON.stringify(row), /ann@/i);
    assert.equal(EmailEvent.safeParse({ ...row, person_id: 'p', campaign_id: 'c' }).success, true);
  });

  const cases: { name: string; event: Record<string, unknown>; expected: Partial<ReturnType<typeof read>['row']>; suppresses: string | null }[] = [
    { name: 'open by a person', event: { event: 'open', useragent: 'Mozilla/5.0', ip: '1.2.3.4' }, expected: { event_type: 'open', is_machine: false, machine_reason: null }, suppresses: null },
    { name: "open flagged by SendGrid as a machine's", event: { event: 'open', sg_machine_open: true }, expected: { is_machine: true, machine_reason: 'sendgrid_machine_open' }, suppresses: null },
    { name: 'click with its URL and position', event: { event: 'click', url: 'https://shop.example/p/1?utm_source=nudge', url_offset: { index: 2, type: 'html' } }, expected: { url: 'https://shop.example/p/1?utm_source=nudge', link_index: 2 }, suppresses: null },
    { name: 'hard bounce with an enhanced status', event: { event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 ann@example.com does not exist' }, expected: { bounce_type: 'hard', status_code: '5.1.1' }, suppresses: 'bounced' },
    { name: 'blocked (soft) bounce', event: { event: 'bounce', type: 'blocked', status: '4.7.1' }, expected: { bounce_type: 'soft', status_code: '4.7.1' }, suppresses: null },
    { name: 'bounce status that is prose is not kept', event: { event: 'bounce', type: 'bounce', status: 'ann@example.com unknown' }, expected: { status_code: null }, suppresses: 'bounced' },
    { name: 'dropped: bounced address', event: { event: 'dropped', reason: 'Bounced Address' }, expected: { status_code: 'bounced_address' }, suppresses: 'bounced' },
    { name: 'dropped: invalid address', event: { event: 'dropped', reason: 'Invalid' }, expected: { status_code: 'invalid' }, suppresses: 'bounced' },
    { name: 'dropped: a spam-reporting address', event: { event: 'dropped', reason: 'Spam Reporting Address' }, expected: { status_code: 'spam_reporting_address' }, suppresses: 'complained' },
    { name: 'dropped: an unsubscribed address', event: { event: 'dropped', reason: 'Unsubscribed Address' }, expected: { status_code: 'unsubscribed_address' }, suppresses: 'unsubscribed' },
    { name: 'dropped for spam content: the address is fine', event: { event: 'dropped', reason: 'Spam Content (if spam checker app enabled)' }, expected: { status_code: 'other' }, suppresses: null },
    { name: 'spam report', event: { event: 'spamreport' }, expected: { event_type: 'spamreport' }, suppresses: 'complained' },
    { name: 'unsubscribe', event: { event: 'unsubscribe' }, expected: { event_type: 'unsubscribe' }, suppresses: 'unsubscribed' },
    { name: 'group unsubscribe', event: { event: 'group_unsubscribe', asm_group_id: 1 }, expected: { event_type: 'group_unsubscribe' }, suppresses: 'unsubscribed' },
    { name: "group resubscribe: recorded; nudge's own consent decides", event: { event: 'group_resubscribe', asm_group_id: 1 }, expected: { event_type: 'group_resubscribe' }, suppresses: null },
    { name: 'deferred', event: { event: 'deferred', response: '400 try again later', attempt: '1' }, expected: { event_type: 'deferred', status_code: null }, suppresses: null },
    { name: 'processed', event: { event: 'processed' }, expected: { event_type: 'processed' }, suppresses: null },
  ];
  for (const { name, event, expected, suppresses } of cases) {
    test(name, () => {
      const { row } = read(event);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(row[key as keyof typeof row], value, key);
      assert.equal(suppressionOfEmailEvent(row), suppresses);
      const parsed = EmailEvent.safeParse({ ...row, person_id: 'p', campaign_id: 'c' });
      assert.ok(parsed.success, `the row is an email_events row: ${JSON.stringify(parsed.error?.issues)}`);
    });
  }

  test('the address (lower-cased) is handed over for the profile only on bounces, drops and spam reports', () => {
    assert.equal(read({ event: 'bounce', type: 'bounce' }).suppressed_address, 'ann@example.com');
    assert.equal(read({ event: 'dropped', reason: 'Invalid' }).suppressed_address, 'ann@example.com');
    assert.equal(read({ event: 'spamreport' }).suppressed_address, 'ann@example.com');
    assert.equal(read({ event: 'open' }).suppressed_address, null);
  });
});

describe('readSendGridEvent: what it refuses, naming the field', () => {
  const refusals: { name: string; event: unknown; path: string; message: RegExp }[] = [
    { name: 'no send_id custom arg (not an email nudge sent)', event: { ...base, event: 'open', send_id: undefined }, path: 'send_id', message: /custom arg/ },
    { name: 'an unknown event type', event: { ...base, event: 'exploded' }, path: 'event', message: /unknown event type "exploded"/ },
    { name: 'no sg_event_id', event: { ...base, event: 'open', sg_event_id: undefined }, path: 'sg_event_id', message: /dedupe key/ },
    { name: 'a timestamp in milliseconds far in the future', event: { ...base, event: 'open', timestamp: at * 1000 }, path: 'timestamp', message: /future/ },
    { name: 'a timestamp that is text', event: { ...base, event: 'open', timestamp: '1700000000' }, path: 'timestamp', message: /seconds/ },
    { name: 'a timestamp before 2020', event: { ...base, event: 'open', timestamp: 86_400 }, path: 'timestamp', message: /2020/ },
    { name: 'not an object', event: 'open', path: '(event)', message: /object/ },
    { name: 'a send_id far too long is named as such, not as missing', event: { ...base, event: 'open', send_id: 'x'.repeat(201) }, path: 'send_id', message: /longer than 200/ },
  ];
  for (const { name, event, path, message } of refusals) {
    test(name, () => {
      const result = readSendGridEvent(event, 7, received);
      assert.equal(result.ok, false);
      if (result.ok) return;
      const error = result.errors.find((e) => e.path === path);
      assert.ok(error, `an error on ${path}: ${JSON.stringify(result.errors)}`);
      assert.equal(error.index, 7);
      assert.match(error.message, message);
    });
  }
});
