// PLACEHOLDER — the profiles work replaces this with the full zod schema (DESIGN.md §3 Profile).
export type Profile = {
  person_id: string;
  /** Incremented on every write; lets readers and reconciliation detect change. */
  version: number;
  /** Set when this person was merged into another (alias, stitching); the winner's id. */
  merged_into: string | null;
  [field: string]: unknown;
};
