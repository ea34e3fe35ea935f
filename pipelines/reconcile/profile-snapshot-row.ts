import { z } from 'zod';
import { suppressionOf } from '../engagement/suppression.ts';
import type { Profile } from '../profiles/profile.ts';

/** A row of sql/tables/profile_snapshots.sql, column for column: the people table of one day. */
const Instant = z.iso.datetime({ offset: false });

export const ProfileSnapshotRow = z.object({
  snapshot_id: z.string(),
  person_id: z.string(),
  snapshot_date: z.iso.date(),
  taken_at: Instant,
  merged_into: z.string().nullable(),
  profile_version: z.number().int(),
  user_id: z.string().nullable(),
  emails: z.array(z.string()),
  traits: z.record(z.string(), z.json()),
  is_email_marketing_consented: z.boolean().nullable(),
  is_suppressed: z.boolean(),
  orders_count: z.number().int(),
  orders_revenue: z.number(),
  last_order_at: Instant.nullable(),
  cart_value: z.number().nullable(),
  cart_items_count: z.number().int(),
  first_seen_at: Instant.nullable(),
  last_seen_at: Instant.nullable(),
});
export type ProfileSnapshotRow = z.infer<typeof ProfileSnapshotRow>;

/** The profile as a snapshot row of the UTC day of `takenAt`; snapshot_id makes a second walk that day a no-op. Pure. */
export function snapshotRowOf(profile: Profile, takenAt: string): ProfileSnapshotRow {
  const snapshotDate = takenAt.slice(0, 10);
  return {
    snapshot_id: `${profile.person_id}/${snapshotDate}`,
    person_id: profile.person_id,
    snapshot_date: snapshotDate,
    taken_at: takenAt,
    merged_into: profile.merged_into,
    profile_version: profile.version,
    user_id: profile.identities.user_id,
    emails: profile.identities.emails,
    traits: profile.traits,
    is_email_marketing_consented: profile.consent.email_marketing?.value ?? null,
    is_suppressed: suppressionOf(profile) !== null,
    orders_count: profile.orders.count,
    orders_revenue: profile.orders.revenue,
    last_order_at: profile.orders.last_order_at,
    cart_value: profile.cart ? profile.cart.value : null,
    cart_items_count: (profile.cart?.items ?? []).reduce((sum, item) => sum + item.quantity, 0),
    first_seen_at: profile.first_seen_at,
    last_seen_at: profile.last_seen_at,
  };
}
