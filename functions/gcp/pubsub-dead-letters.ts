import type { PubSub, Topic } from '@google-cloud/pubsub';
import { DeadLetter, type DeadLetterStore } from '../../pipelines/events/dead-letters.ts';

/**
 * Dead letters go to a topic as one JSON object per record, field for field a row of the
 * warehouse table `dead_letters`; a BigQuery subscription on the topic writes them (declared
 * in terraform/pubsub.tf), so there is no insert code and nothing to lose between the two.
 */
export const deadLetterTopicName = 'events-invalid';

export type PubSubDeadLetterDeps = { pubsub: PubSub; topicName?: string };

export function createPubSubDeadLetterStore(deps: PubSubDeadLetterDeps): DeadLetterStore {
  let topic: Topic | undefined;
  return {
    put: async (records) => {
      if (records.length === 0) return;
      topic ??= deps.pubsub.topic(deps.topicName ?? deadLetterTopicName, { batching: { maxMessages: 500, maxMilliseconds: 10 } });
      const target = topic;
      await Promise.all(
        records.map((record) => {
          // Parse, not cast: a malformed record would otherwise be dropped by BigQuery, unseen.
          const row = DeadLetter.parse(record);
          return target.publishMessage({ data: Buffer.from(JSON.stringify(row)), attributes: { stage: row.stage } });
        }),
      );
    },
  };
}
