import type { NudgeEvent } from '../events/nudge-event.ts';
import { catalogFields, emptyCatalogItem, type CatalogItem, type FieldClock } from './catalog-item.ts';
import type { CatalogChange } from './catalog-store.ts';
import { readCatalogUpdate, type CatalogUpdate } from './read-catalog-update.ts';

/**
 * Folds catalog updates into items. Per field, last writer wins by occurred_at, ties broken by
 * event_id (DESIGN.md §4): the result depends only on the set of updates applied, so
 * redelivered, duplicated and out-of-order updates all converge on the same item.
 */

/** Orders clocks by time, then event id. Both `at`s are in toISOString form. */
export function compareClocks(a: FieldClock, b: FieldClock): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

/**
 * The item after one update. Returns `item` itself (same object) when the update changes
 * nothing, e.g. a duplicate or an update older than every field it sets, so callers can skip
 * the write. Never mutates `item`.
 */
export function mergeCatalogUpdate(item: CatalogItem | null, update: CatalogUpdate): CatalogItem {
  if (item && item.product_id !== update.product_id) {
    throw new Error(`mergeCatalogUpdate: update for ${update.product_id} applied to item ${item.product_id}`);
  }
  let next: CatalogItem | null = null;
  for (const field of catalogFields) {
    const value = update.values[field];
    if (value === undefined) continue;
    const current = (next ?? item)?.clocks[field];
    // Strictly later only: an equal clock is the same event delivered again.
    if (current && compareClocks(update.clock, current) <= 0) continue;
    next ??= copyOf(item ?? emptyCatalogItem(update.product_id, update.clock.at));
    (next as Record<CatalogItemField, unknown>)[field] = value;
    next.clocks[field] = { at: update.clock.at, event_id: update.clock.event_id };
  }
  if (next === null) return item ?? emptyCatalogItem(update.product_id, update.clock.at);
  if (update.clock.at > next.updated_at) next.updated_at = update.clock.at;
  return next;
}

type CatalogItemField = keyof CatalogItem;

/** mergeCatalogUpdate for an event; throws InvalidCatalogUpdateError when it is not a valid catalog update. */
export function applyCatalogUpdate(item: CatalogItem | null, event: NudgeEvent): CatalogItem {
  return mergeCatalogUpdate(item, readCatalogUpdate(event));
}

/**
 * Applies a batch to the stored items (`current`: product id → item, absent = unknown product)
 * and returns only the items that changed, ready to write.
 */
export function mergeCatalogUpdates(current: ReadonlyMap<string, CatalogItem>, updates: readonly CatalogUpdate[]): Map<string, CatalogItem> {
  const working = new Map<string, CatalogItem>();
  const changed = new Set<string>();
  for (const update of updates) {
    const id = update.product_id;
    const before = working.get(id) ?? current.get(id) ?? null;
    const after = mergeCatalogUpdate(before, update);
    if (after !== before) {
      working.set(id, after);
      changed.add(id);
    }
  }
  return new Map([...changed].map((id) => [id, working.get(id)!]));
}

/**
 * mergeCatalogUpdates as the changes a store reports: for each product the batch changed, in the
 * order the products first appear in `updates`, the stored item (`current`) and the merged one.
 */
export function mergeCatalogChanges(current: ReadonlyMap<string, CatalogItem>, updates: readonly CatalogUpdate[]): CatalogChange[] {
  const merged = mergeCatalogUpdates(current, updates);
  return productIdsOf(updates)
    .filter((id) => merged.has(id))
    .map((id) => ({ product_id: id, before: current.get(id) ?? null, after: merged.get(id)! }));
}

/** The distinct product ids of a batch, in first-seen order. */
export function productIdsOf(updates: readonly CatalogUpdate[]): string[] {
  return [...new Set(updates.map((update) => update.product_id))];
}

function copyOf(item: CatalogItem): CatalogItem {
  return { ...item, clocks: { ...item.clocks } };
}
