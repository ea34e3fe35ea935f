import { z } from 'zod';

/** One field-level problem, e.g. { index: 3, path: "properties.price", message: "Expected number" }. */
export const FieldError = z.object({
  /** Position in the batch; absent for single-event calls. */
  index: z.number().int().optional(),
  path: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

/**
 * Input nudge could not accept, kept where someone can see and replay it
 * (`npx nudge dead-letters`; warehouse table `dead_letters` on GCP).
 */
export const DeadLetter = z.object({
  dead_letter_id: z.string(),
  /** Which stage refused it: "collect", "publish", "profile", … */
  stage: z.string(),
  reason: z.string(),
  errors: z.array(FieldError),
  /** The offending input exactly as received (JSON text when it parsed, else the raw text). */
  payload: z.string(),
  source_id: z.string().nullable(),
  received_at: z.iso.datetime({ offset: false }),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export type DeadLetterStore = {
  /** Durable once resolved. */
  put: (records: readonly DeadLetter[]) => Promise<void>;
};
