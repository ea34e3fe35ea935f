import type { EventKind, NudgeEvent } from './nudge-event.ts';
import { topicNames, type TopicName } from './topics.ts';

/**
 * Which topic an event goes to; the collector and publishEvent both call this, so an event
 * lands on the same topic whichever door it came through. A Record over every kind makes the
 * compiler refuse a new kind until it is routed.
 */
export const topicByKind: Readonly<Record<EventKind, TopicName>> = {
  // Journeys must react to these quickly (abandoned cart, checkout, order, identity, consent).
  product_added: topicNames.priority,
  product_removed: topicNames.priority,
  cart_viewed: topicNames.priority,
  checkout_started: topicNames.priority,
  order_completed: topicNames.priority,
  identify: topicNames.priority,
  alias: topicNames.priority,
  consent_updated: topicNames.priority,
  // A shopper asked to hear when an item returns: the interest recorder must have it before a restock.
  back_in_stock_requested: topicNames.priority,
  // High volume and coalescable per person.
  product_viewed: topicNames.browse,
  products_searched: topicNames.browse,
  product_list_viewed: topicNames.browse,
  page: topicNames.browse,
  other: topicNames.browse,
  // Backend stock/price changes, consumed by the catalog, not by profiles.
  catalog_updated: topicNames.catalog,
};

export function route(event: Pick<NudgeEvent, 'kind'>): TopicName {
  return topicByKind[event.kind];
}
