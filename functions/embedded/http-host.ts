import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEntry, HttpRequest, HttpResponse } from '../http.ts';

export type HttpRoute = {
  /** Exact path, or a prefix ending in "/" (e.g. "/v1/"). */
  path: string;
  entry: HttpEntry;
};

export type HttpHost = {
  listen: (port: number, host: string) => Promise<{ port: number; url: string }>;
  close: () => Promise<void>;
  server: Server;
};

/** Bytes read from a socket before giving up; entries apply their own, smaller, limits. */
const maxRequestBytes = 4 * 1024 * 1024;

/**
 * The embedded host: one node:http server mounting the very entries Cloud Functions run. This is
 * the only place that knows about node:http; entries get a plain HttpRequest (functions/http.ts).
 */
export function createHttpHost(deps: { routes: readonly HttpRoute[]; onError?: (error: unknown) => void }): HttpHost {
  const findEntry = (path: string): HttpEntry | undefined =>
    deps.routes.find((route) => (route.path.endsWith('/') ? path.startsWith(route.path) : path === route.path))?.entry;

  // Requests being handled; close() lets them finish so none is cut off between its commit and
  // its answer (or, worse, finds the stores already closed).
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handling = handle(req, res);
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  // Segment SDKs keep connections alive between flushes; keep them a little longer than they do.
  server.keepAliveTimeout = 65_000;

  let closing = false;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (closing) {
      // A keep-alive client sent one more request while the host stops: refuse it retryably.
      res.writeHead(503, { connection: 'close', 'retry-after': '1', 'content-type': 'text/plain' });
      res.end('shutting down\n');
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://embedded');
      const entry = findEntry(url.pathname);
      if (!entry) return send(res, { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found\n' });
      const rawBody = await readBody(req);
      if (rawBody === null) {
        return send(res, { status: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errors: [{ path: '', message: 'Request body too large' }] }) });
      }
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        headers: req.headers as Record<string, string | undefined>,
        query: url.searchParams,
        rawBody,
        remoteAddress: req.socket.remoteAddress,
      };
      send(res, await entry(request));
    } catch (error) {
      deps.onError?.(error);
      if (!res.headersSent) send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error\n' });
      else res.destroy();
    }
  }

  return {
    server,
    listen: (port, host) =>
      new Promise((resolvePromise, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolvePromise({ port: address.port, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` });
        });
      }),
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(tooLarge ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}
