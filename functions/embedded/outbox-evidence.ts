import { stat } from 'node:fs/promises';
import type { SendEvidence } from '../../pipelines/delivery/resolve-in-doubt.ts';
import { OUTBOX_DIR, outboxPath } from './outbox-mailer.ts';

/**
 * The outbox mailer's evidence for an in-doubt send: the file `outbox/<send_id>.eml` exists
 * exactly when the email was written. The mailer writes a temp file, fsyncs it, then links it to
 * that name, so a crash leaves either the complete email or no file — never half of one.
 */
export function outboxEvidence(dataDir: string): (send_id: string) => Promise<SendEvidence> {
  return async (send_id) => {
    const name = `${OUTBOX_DIR}/${send_id}.eml`;
    try {
      await stat(outboxPath(dataDir, send_id));
      return { sent: true, evidence: `outbox file ${name} exists`, provider_message_id: send_id };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sent: false, evidence: `no outbox file ${name}` };
      throw error;
    }
  };
}
