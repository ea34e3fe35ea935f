import type { Request, Response } from '@google-cloud/functions-framework';
import type { HttpEntry, HttpRequest } from '../http.ts';

/**
 * Translates functions-framework's Express request into the plain HttpRequest every entry takes,
 * and the entry's answer back. The entry is built lazily on the first request so a cold start
 * pays for client construction once, and a deploy with a bad setting fails loudly on that request.
 */
export function toFrameworkHandler(buildEntry: () => Promise<HttpEntry>): (req: Request, res: Response) => Promise<void> {
  let entry: Promise<HttpEntry> | undefined;
  return async (req, res) => {
    entry ??= buildEntry().catch((error: unknown) => {
      entry = undefined;
      throw error;
    });
    const handler = await entry;
    const url = new URL(req.originalUrl || req.url, 'http://function');
    const request: HttpRequest = {
      method: req.method,
      path: url.pathname,
      headers: req.headers as Record<string, string | undefined>,
      query: url.searchParams,
      // functions-framework keeps the exact bytes (already inflated when gzip) in rawBody.
      rawBody: req.rawBody ?? Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? {})),
      remoteAddress: req.ip,
    };
    const response = await handler(request);
    res.status(response.status);
    for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
    res.end(response.body);
  };
}
