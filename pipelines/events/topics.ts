/**
 * The event topics. Names are the same on Pub/Sub (terraform/pubsub.tf) and on the embedded bus.
 * Priority carries what journeys must react to quickly (cart, checkout, order, identity, consent);
 * browse carries high-volume, coalescable behaviour; catalog carries backend stock/price changes.
 */
export const topicNames = {
  priority: 'events-priority',
  browse: 'events-browse',
  catalog: 'events-catalog',
} as const;

export type TopicKey = keyof typeof topicNames;
export type TopicName = (typeof topicNames)[TopicKey];

export const allTopicNames: readonly TopicName[] = Object.values(topicNames);
