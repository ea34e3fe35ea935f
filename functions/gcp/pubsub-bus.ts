import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { EventBus, PublishMessages } from '../../pipelines/events/bus.ts';

/**
 * Publisher batching tuned for latency: a batch leaves after 10 ms or 500 messages, whichever
 * comes first, so one collector request of 500 events is one publish RPC and a lone event
 * waits at most 10 ms. (The client's defaults are 100 messages / 10 ms / 1 MiB.)
 */
export const latencyBatching = {
  maxMessages: 500,
  maxMilliseconds: 10,
  /** Below Pub/Sub's 10 MB request limit with room for attributes and framing. */
  maxBytes: 4 * 1024 * 1024,
};

export type PubSubBusDeps = {
  pubsub: PubSub;
  batching?: { maxMessages?: number; maxMilliseconds?: number; maxBytes?: number };
};

export type PubSubBus = EventBus & {
  /** Sends whatever the publishers still hold (call before shutdown). */
  flush: () => Promise<void>;
};

export function createPubSubBus(deps: PubSubBusDeps): PubSubBus {
  const batching = { ...latencyBatching, ...deps.batching };
  // One Topic per name: each holds its own batcher, so reusing it is what makes batching work.
  const topics = new Map<string, Topic>();
  const topicFor = (name: string): Topic => {
    let topic = topics.get(name);
    if (topic === undefined) {
      topic = deps.pubsub.topic(name, { batching });
      topics.set(name, topic);
    }
    return topic;
  };

  const publish: PublishMessages = async (name, messages) => {
    if (messages.length === 0) return;
    const topic = topicFor(name);
    await Promise.all(messages.map((message) => topic.publishMessage({ data: message.data, attributes: message.attributes })));
  };

  return {
    publish,
    flush: async () => {
      await Promise.all([...topics.values()].map((topic) => topic.flush()));
    },
  };
}
