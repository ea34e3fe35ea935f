import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AliasCall, BatchEnvelope, callSchemas, IdentifyCall, PageCall, ScreenCall, TrackCall } from './segment-schemas.ts';

// The examples of https://segment.com/docs/connections/spec/ (track, identify, page, screen, alias).
const context = {
  ip: '8.8.8.8',
  library: { name: 'analytics.js', version: '2.11.1' },
  page: { path: '/academy/', referrer: '', search: '', title: 'Analytics Academy', url: 'https://segment.com/academy/' },
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5)',
};
const specExamples = {
  track: {
    anonymousId: '23adfd82-aa0f-45a7-a756-24f2a7a4c895',
    context,
    event: 'Course Clicked',
    integrations: {},
    messageId: 'ajs-f8ca1e4de5024d9430b3928bd8ac6b96',
    properties: { title: 'Intro to Analytics' },
    receivedAt: '2015-12-12T19:11:01.266Z',
    sentAt: '2015-12-12T19:11:01.169Z',
    timestamp: '2015-12-12T19:11:01.249Z',
    type: 'track',
    userId: 'AiUGstSDIg',
    originalTimestamp: '2015-12-12T19:11:01.152Z',
  },
  identify: {
    anonymousId: '507f191e810c19729de860ea',
    channel: 'browser',
    context: { ip: '8.8.8.8', userAgent: 'Mozilla/5.0' },
    integrations: { All: false, Mixpanel: true, Salesforce: true },
    messageId: '022bb90c-bbac-11e4-8dfc-aa07a5b093db',
    receivedAt: '2015-02-23T22:28:55.387Z',
    sentAt: '2015-02-23T22:28:55.111Z',
    timestamp: '2015-02-23T22:28:55.111Z',
    traits: {
      name: 'Peter Gibbons',
      email: 'peter@example.com',
      plan: 'premium',
      logins: 5,
      address: { street: '6th St', city: 'San Francisco', state: 'CA', postalCode: '94103', country: 'USA' },
    },
    type: 'identify',
    userId: '97980cfea0067',
    version: '1.1',
  },
  page: {
    anonymousId: '507f191e810c19729de860ea',
    channel: 'browser',
    context: { ip: '8.8.8.8', userAgent: 'Mozilla/5.0' },
    integrations: { All: true, Mixpanel: false, Salesforce: false },
    messageId: '022bb90c-bbac-11e4-8dfc-aa07a5b093db',
    name: 'Home',
    properties: { title: 'Welcome | Initech', url: 'http://www.example.com' },
    receivedAt: '2015-02-23T22:28:55.387Z',
    sentAt: '2015-02-23T22:28:55.111Z',
    timestamp: '2015-02-23T22:28:55.111Z',
    type: 'page',
    userId: '97980cfea0067',
    version: '1.1',
  },
  screen: {
    type: 'screen',
    name: 'Home',
    properties: { 'Feed Type': 'private' },
    userId: '97980cfea0067',
    messageId: '022bb90c-bbac-11e4-8dfc-aa07a5b093dc',
    timestamp: '2015-02-23T22:28:55.111Z',
  },
  alias: {
    anonymousId: '507f191e810c19729de860ea',
    channel: 'browser',
    context: { ip: '8.8.8.8', userAgent: 'Mozilla/5.0' },
    integrations: { All: true, Mixpanel: false, Salesforce: false },
    messageId: '022bb90c-bbac-11e4-8dfc-aa07a5b093db',
    previousId: '39239-239239-239239-23923',
    receivedAt: '2015-02-23T22:28:55.387Z',
    sentAt: '2015-02-23T22:28:55.111Z',
    timestamp: '2015-02-23T22:28:55.111Z',
    type: 'alias',
    userId: '507f191e81',
    version: '1.1',
  },
} as const;

describe('Segment call schemas', () => {
  for (const [type, example] of Object.entries(specExamples)) {
    test(`${type} accepts the spec example and keeps unknown fields`, () => {
      const parsed = callSchemas[type as keyof typeof callSchemas].safeParse(example);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      for (const key of Object.keys(example)) assert.ok(key in parsed.data, `${key} kept`);
    });
  }

  test('timestamps become epoch milliseconds; offsets are honoured', () => {
    const parsed = TrackCall.parse({ ...specExamples.track, timestamp: '2015-12-12T20:11:01.249+01:00' });
    assert.equal(parsed.timestamp, Date.parse('2015-12-12T19:11:01.249Z'));
    assert.equal(parsed.sentAt, Date.parse('2015-12-12T19:11:01.169Z'));
  });

  test('timestamps without seconds (Java) and with a +hhmm offset (PHP DATE_ISO8601) are accepted', () => {
    const parsed = TrackCall.parse({ userId: 'u', event: 'x', timestamp: '2026-01-01T10:00Z', sentAt: '2026-01-01T11:00:05+0100' });
    assert.equal(parsed.timestamp, Date.parse('2026-01-01T10:00:00.000Z'));
    assert.equal(parsed.sentAt, Date.parse('2026-01-01T10:00:05.000Z'));
  });

  test('Date objects are accepted as timestamps (publishEvent callers)', () => {
    const at = new Date('2026-03-01T00:00:00.000Z');
    assert.equal(TrackCall.parse({ userId: 'u', event: 'x', timestamp: at }).timestamp, at.getTime());
  });

  test('numeric ids are coerced to strings', () => {
    const parsed = AliasCall.parse({ userId: 42, previousId: 7, anonymousId: 1.5, messageId: 99 });
    assert.deepEqual([parsed.userId, parsed.previousId, parsed.anonymousId, parsed.messageId], ['42', '7', '1.5', '99']);
  });

  test('a messageId of exactly 200 characters is accepted (the event_id column holds 200)', () => {
    assert.equal(TrackCall.parse({ userId: 'u', event: 'x', messageId: 'm'.repeat(200) }).messageId, 'm'.repeat(200));
  });

  test('traits.email is kept trimmed, its case as sent (lower-casing happens on the event)', () => {
    assert.equal(IdentifyCall.parse({ userId: 'u', traits: { email: '  Peter@Example.com ' } }).traits?.email, 'Peter@Example.com');
  });

  test('userId: null (analytics.js before identify) counts as absent', () => {
    const parsed = PageCall.parse({ userId: null, anonymousId: 'a1' });
    assert.equal(parsed.userId, null);
  });

  const rejections: { name: string; schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }; input: Record<string, unknown>; path: string; message?: RegExp }[] = [
    { name: 'track without ids', schema: TrackCall, input: { event: 'x' }, path: 'userId', message: /anonymousId or userId/ },
    { name: 'identify without ids', schema: IdentifyCall, input: { traits: {} }, path: 'userId', message: /anonymousId or userId/ },
    { name: 'page with null ids', schema: PageCall, input: { userId: null, anonymousId: null }, path: 'userId' },
    { name: 'screen without ids', schema: ScreenCall, input: { name: 'Home' }, path: 'userId' },
    { name: 'track without event', schema: TrackCall, input: { userId: 'u' }, path: 'event', message: /Required/ },
    { name: 'track with empty event', schema: TrackCall, input: { userId: 'u', event: '' }, path: 'event' },
    { name: 'track with array properties', schema: TrackCall, input: { userId: 'u', event: 'x', properties: [1] }, path: 'properties', message: /^Expected an object$/ },
    { name: 'empty userId', schema: TrackCall, input: { userId: '', event: 'x' }, path: 'userId' },
    { name: 'object anonymousId', schema: TrackCall, input: { anonymousId: { id: 1 }, event: 'x' }, path: 'anonymousId', message: /^Expected a non-empty string or a number$/ },
    { name: 'NaN userId (publishEvent)', schema: TrackCall, input: { userId: Number.NaN, event: 'x' }, path: 'userId', message: /^Expected a non-empty string or a number$/ },
    { name: 'messageId over 200 chars', schema: TrackCall, input: { userId: 'u', event: 'x', messageId: 'm'.repeat(201) }, path: 'messageId', message: /^Expected a non-empty string or a number of at most 200 characters$/ },
    { name: 'timestamp without zone', schema: TrackCall, input: { userId: 'u', event: 'x', timestamp: '2026-01-01T10:00:00' }, path: 'timestamp', message: /time zone/ },
    { name: 'timestamp as number', schema: TrackCall, input: { userId: 'u', event: 'x', timestamp: 1767261600000 }, path: 'timestamp' },
    { name: 'impossible date', schema: TrackCall, input: { userId: 'u', event: 'x', sentAt: '2026-13-45T10:00:00Z' }, path: 'sentAt' },
    { name: 'context as string', schema: TrackCall, input: { userId: 'u', event: 'x', context: 'web' }, path: 'context' },
    { name: 'bad context.traits.email', schema: TrackCall, input: { userId: 'u', event: 'x', context: { traits: { email: 'nope' } } }, path: 'context.traits.email', message: /email address/ },
    { name: 'bad traits.email', schema: IdentifyCall, input: { userId: 'u', traits: { email: 'peter at example' } }, path: 'traits.email', message: /^Expected an email address like name@example\.com$/ },
    { name: 'a display-name address in traits.email', schema: IdentifyCall, input: { userId: 'u', traits: { email: 'Peter Gibbons <peter@example.com>' } }, path: 'traits.email', message: /email address/ },
    { name: 'two addresses in one traits.email', schema: IdentifyCall, input: { userId: 'u', traits: { email: 'peter@example.com milton@example.com' } }, path: 'traits.email', message: /email address/ },
    { name: 'non-boolean consent trait', schema: IdentifyCall, input: { userId: 'u', traits: { email_marketing_consent: 'yes' } }, path: 'traits.email_marketing_consent', message: /true or false/ },
    { name: 'alias without previousId', schema: AliasCall, input: { userId: 'u' }, path: 'previousId', message: /^Required: a non-empty string or a number$/ },
    { name: 'alias without userId', schema: AliasCall, input: { anonymousId: 'a', previousId: 'p' }, path: 'userId', message: /Required/ },
    { name: 'known event with bad property', schema: TrackCall, input: { userId: 'u', event: 'Product Added', properties: { product_id: 'p', price: 'free' } }, path: 'properties.price' },
    { name: 'known event with missing properties', schema: TrackCall, input: { userId: 'u', event: 'Product Viewed' }, path: 'properties.product_id' },
    { name: 'bad properties.email on a known event', schema: TrackCall, input: { userId: 'u', event: 'Products Searched', properties: { query: 'q', email: 5 } }, path: 'properties.email' },
  ];
  for (const { name, schema, input, path, message } of rejections) {
    test(`rejects ${name} at "${path}"`, () => {
      const parsed = schema.safeParse(input);
      assert.equal(parsed.success, false);
      const issue = parsed.error?.issues.find((i) => i.path.join('.') === path);
      assert.ok(issue, `issue at ${path}; got ${JSON.stringify(parsed.error?.issues)}`);
      if (message) assert.match(issue.message, message);
    });
  }

  test('unknown track events keep their properties untouched', () => {
    const properties = { price: 'free', nested: { a: [1, 2] } };
    const parsed = TrackCall.parse({ userId: 'u', event: 'Course Clicked', properties });
    assert.deepEqual(parsed.properties, properties);
  });

  test('known track events get coerced properties', () => {
    const parsed = TrackCall.parse({ anonymousId: 'a', event: 'Product Added', properties: { product_id: 9, price: '9.50' } });
    assert.deepEqual(parsed.properties, { product_id: '9', price: 9.5 });
  });

  test('reports missing ids and bad properties together', () => {
    const parsed = TrackCall.safeParse({ event: 'Order Completed', properties: {} });
    assert.deepEqual(parsed.error?.issues.map((i) => i.path.join('.')).sort(), ['properties.order_id', 'userId']);
  });

  test('an empty email is "none", not an error', () => {
    assert.ok(IdentifyCall.safeParse({ userId: 'u', traits: { email: '' } }).success);
  });
});

describe('BatchEnvelope', () => {
  test('accepts the analytics-node body shape and keeps items unparsed', () => {
    const parsed = BatchEnvelope.parse({ batch: [{ type: 'track' }, 3], writeKey: 'wk', sentAt: '2026-01-01T00:00:00.000Z', context: { library: { name: 'x' } } });
    assert.deepEqual(parsed.batch, [{ type: 'track' }, 3]);
    assert.equal(parsed.sentAt, Date.parse('2026-01-01T00:00:00.000Z'));
  });

  for (const [name, input, path] of [
    ['missing batch', {}, 'batch'],
    ['batch as object', { batch: { type: 'track' } }, 'batch'],
    ['bad sentAt', { batch: [], sentAt: 'yesterday' }, 'sentAt'],
  ] as const) {
    test(`rejects ${name} at "${path}"`, () => {
      const parsed = BatchEnvelope.safeParse(input);
      assert.equal(parsed.error?.issues[0]?.path.join('.'), path);
    });
  }
});
