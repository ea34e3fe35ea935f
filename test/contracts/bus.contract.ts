import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage, EventBus, ReceivedMessage } from '../../pipelines/events/bus.ts';
import { topicNames, type TopicName } from '../../pipelines/events/topics.ts';

/** What one adapter under test offers the contract. */
export type BusHarness = {
  bus: EventBus;
  /**
   * Starts watching a topic; resolves once watching, so every message published after that
   * is seen (on Pub/Sub: a fresh subscription; embedded: the topic's subscription).
   */
  observe: (topic: TopicName) => Promise<BusObservation>;
  teardown: () => Promise<void>;
};

export type BusObservation = {
  /** The next `count` deliveries in arrival order. Rejects after `timeoutMs` (a hang guard, not a check). */
  take: (count: number, timeoutMs?: number) => Promise<ReceivedMessage[]>;
};

/** A queue harnesses can use to implement BusObservation from a delivery callback. */
export function createObservationQueue(): BusObservation & { push: (message: ReceivedMessage) => void } {
  const arrived: ReceivedMessage[] = [];
  let wake: (() => void) | undefined;
  return {
    push(message) {
      arrived.push(message);
      wake?.();
    },
    async take(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (arrived.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`only ${arrived.length} of ${count} messages arrived within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return arrived.splice(0, count);
    },
  };
}

const message = (text: string, attributes: Record<string, string> = {}): BusMessage => ({ data: Buffer.from(text), attributes });

/**
 * The bus port's contract (pipelines/events/bus.ts), run against every adapter. `setup` is
 * called per test; the harness must start each test with nothing in flight.
 */
export function runBusContract(name: string, setup: () => Promise<BusHarness>, options: { skip?: string } = {}): void {
  describe(`EventBus contract: ${name}`, { skip: options.skip ?? false }, () => {
    async function withHarness(body: (harness: BusHarness) => Promise<void>): Promise<void> {
      const harness = await setup();
      try {
        await body(harness);
      } finally {
        await harness.teardown();
      }
    }

    test('a published message is delivered with identical data and attributes', () =>
      withHarness(async ({ bus, observe }) => {
        const seen = await observe(topicNames.priority);
        const data = Buffer.concat([Buffer.from([0, 1, 0xfe, 0xff]), Buffer.from(JSON.stringify({ event_id: 'e-1', note: 'ünïcode ✓' }))]);
        const attributes = { kind: 'product_added', event_id: 'e-1', 'x-ünï': 'välue ✓' };
        await bus.publish(topicNames.priority, [{ data, attributes }]);
        const [got] = await seen.take(1);
        assert.ok(got);
        assert.deepEqual(got.data, data);
        assert.deepEqual(got.attributes, attributes);
        assert.ok(got.messageId.length > 0, 'has a message id');
        assert.ok(!Number.isNaN(Date.parse(got.publishTime)), `publishTime ${got.publishTime} is a timestamp`);
        assert.ok(got.deliveryAttempt >= 1);
      }));

    test('many messages from concurrent publishes all arrive, none lost', () =>
      withHarness(async ({ bus, observe }) => {
        const seen = await observe(topicNames.browse);
        const calls = 5;
        const perCall = 120;
        await Promise.all(
          Array.from({ length: calls }, (_, c) =>
            bus.publish(
              topicNames.browse,
              Array.from({ length: perCall }, (_, i) => message(`m-${c}-${i}`, { n: String(c * perCall + i) })),
            ),
          ),
        );
        const total = calls * perCall;
        const got = new Set<string>();
        // At-least-once: a duplicate is allowed, a gap is not.
        while (got.size < total) for (const m of await seen.take(Math.min(total - got.size, total))) got.add(m.attributes.n ?? '?');
        assert.equal(got.size, total);
        for (let n = 0; n < total; n++) assert.ok(got.has(String(n)), `message ${n} arrived`);
      }));

    test('messages published to one topic never reach another', () =>
      withHarness(async ({ bus, observe }) => {
        const priority = await observe(topicNames.priority);
        const browse = await observe(topicNames.browse);
        await bus.publish(topicNames.priority, [message('for-priority')]);
        await bus.publish(topicNames.browse, [message('for-browse')]);
        assert.equal((await priority.take(1))[0]?.data.toString(), 'for-priority');
        assert.equal((await browse.take(1))[0]?.data.toString(), 'for-browse');
        // A fence on each topic: had anything crossed over, it would come before the fence.
        await bus.publish(topicNames.browse, [message('browse-fence')]);
        await bus.publish(topicNames.priority, [message('priority-fence')]);
        assert.equal((await browse.take(1))[0]?.data.toString(), 'browse-fence');
        assert.equal((await priority.take(1))[0]?.data.toString(), 'priority-fence');
      }));

    test('publishing an empty list resolves and delivers nothing', () =>
      withHarness(async ({ bus, observe }) => {
        const seen = await observe(topicNames.catalog);
        await bus.publish(topicNames.catalog, []);
        await bus.publish(topicNames.catalog, [message('only-one')]);
        const [first] = await seen.take(1);
        assert.equal(first?.data.toString(), 'only-one');
        await bus.publish(topicNames.catalog, [message('fence')]);
        assert.equal((await seen.take(1))[0]?.data.toString(), 'fence');
      }));

    test('publishing to a topic that does not exist rejects', () =>
      withHarness(async ({ bus }) => {
        await assert.rejects(bus.publish('events-nope' as TopicName, [message('lost?')]));
      }));
  });
}
