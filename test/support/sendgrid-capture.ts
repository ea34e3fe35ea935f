import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CapturedMail = { body: Record<string, unknown>; headers: IncomingMessage['headers'] };

/**
 * A stand-in for SendGrid's API on 127.0.0.1: records every POST /v3/mail/send and answers 202
 * with an x-message-id, and answers the Email Activity search (GET /v3/messages) from what it
 * recorded, so in-doubt claims can be resolved against it. `delayMs` slows answers down to widen
 * the window in which a crash leaves a send in doubt. `behaviour` changes at run time: a mail/send
 * that records the email and still answers a 5xx, an activity feed that lags (finds nothing yet)
 * or that this key may not read (401/403/404).
 */
export async function startSendGridCapture(options: { delayMs?: number } = {}) {
  const mails: CapturedMail[] = [];
  const behaviour = { mailStatus: 202, activityStatus: 200, activityLagging: false, activityRequests: 0 };
  const sendIdOf = (mail: CapturedMail) => (mail.body.custom_args as Record<string, string> | undefined)?.send_id;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://capture');
      if (req.method === 'POST' && url.pathname === '/v3/mail/send') {
        const mail = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, headers: req.headers };
        mails.push(mail);
        const status = behaviour.mailStatus;
        setTimeout(() => {
          if (status === 202) res.writeHead(202, { 'x-message-id': `msg-${mails.length}` });
          else res.writeHead(status, { 'content-type': 'application/json' });
          res.end(status === 202 ? undefined : JSON.stringify({ errors: [{ message: 'internal error' }] }));
        }, options.delayMs ?? 0);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/v3/messages') {
        behaviour.activityRequests += 1;
        if (behaviour.activityStatus !== 200) {
          res.writeHead(behaviour.activityStatus, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: 'access forbidden' }] }));
          return;
        }
        const wanted = /send_id'\]="([^"]+)"/.exec(url.searchParams.get('query') ?? '')?.[1];
        const found = behaviour.activityLagging ? [] : mails.filter((mail) => sendIdOf(mail) === wanted).map((_, i) => ({ msg_id: `activity-${i}` }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ messages: found }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mails,
    behaviour,
    sendIdOf,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
