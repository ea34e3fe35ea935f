import { CatalogUpdatedProperties } from '../events/commerce-schemas.ts';
import type { FieldError } from '../events/dead-letters.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { catalogFields, type CatalogValues, type FieldClock } from './catalog-item.ts';

/** What one `Catalog Updated` event says: the fields it sets (unset ones are absent) and its clock. */
export type CatalogUpdate = {
  product_id: string;
  clock: FieldClock;
  values: Partial<CatalogValues>;
};

/**
 * The event is not a valid catalog update (wrong kind, bad properties). Bad input: retrying
 * cannot fix it, so consumers dead-letter it with these field-level errors.
 */
export class InvalidCatalogUpdateError extends Error {
  override readonly name = 'InvalidCatalogUpdateError';
  constructor(
    message: string,
    readonly errors: readonly FieldError[],
  ) {
    super(message);
  }
}

/**
 * Reads a `catalog_updated` event, re-checking its properties with the collector's own schema:
 * the topic may also carry messages from publishers that skipped publishEvent. null and absent
 * properties both mean "not sent" and leave the field as it is; no update can clear a field.
 * Throws InvalidCatalogUpdateError naming every problem.
 */
export function readCatalogUpdate(event: NudgeEvent): CatalogUpdate {
  if (event.kind !== 'catalog_updated') {
    const message = `Expected a catalog_updated event, got ${event.kind}`;
    throw new InvalidCatalogUpdateError(message, [{ path: 'kind', message }]);
  }
  const at = Date.parse(event.occurred_at);
  if (Number.isNaN(at)) {
    const message = 'Expected an ISO-8601 instant';
    throw new InvalidCatalogUpdateError(`Catalog update ${event.event_id}: occurred_at: ${message}`, [{ path: 'occurred_at', message }]);
  }
  const parsed = CatalogUpdatedProperties.safeParse(event.properties);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ path: ['properties', ...issue.path].join('.'), message: issue.message }));
    const summary = errors.map((error) => `${error.path}: ${error.message}`).join('; ');
    throw new InvalidCatalogUpdateError(`Catalog update ${event.event_id} has invalid properties: ${summary}`, errors);
  }
  const values: Partial<Record<string, unknown>> = {};
  for (const field of catalogFields) {
    const value = parsed.data[field];
    if (value !== null && value !== undefined) values[field] = value;
  }
  return {
    product_id: parsed.data.product_id,
    // toISOString form: occurred_at may lack milliseconds, and clocks compare as strings.
    clock: { at: new Date(at).toISOString(), event_id: event.event_id },
    values: values as Partial<CatalogValues>,
  };
}

/** readCatalogUpdate for a batch; the error names the offending event's position and id. */
export function readCatalogUpdates(events: readonly NudgeEvent[]): CatalogUpdate[] {
  return events.map((event, index) => {
    try {
      return readCatalogUpdate(event);
    } catch (error) {
      if (!(error instanceof InvalidCatalogUpdateError)) throw error;
      throw new InvalidCatalogUpdateError(
        `Event ${index} (${event.event_id}): ${error.message}`,
        error.errors.map((fieldError) => ({ ...fieldError, index })),
      );
    }
  });
}
