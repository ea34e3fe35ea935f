import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpAdmission, HttpEntry, HttpRequestHead, HttpResponse } from '../http.ts';

export type HttpRoute = {
  /** Exact path, or a prefix ending in "/" (e.g. "/v1/"). */
  path: string;
  entry: HttpEntry;
};

export type HttpHost = {
  listen: (port: number, host: string) => Promise<{ port: number; url: string }>;
  close: () => Promise<void>;
  server: Server;
  /** Request bodies being read right now, all routes together (each counts against its route's cap). */
  bodiesBeingRead: () => number;
};

/** Every tunable of the host, with why. */
export const httpHostDefaults = {
  /**
   * Body cap for entries that do not say (no `admit`): the admin query, unsubscribe posts and
   * pages have small bodies; the collector sets its own, per endpoint and per sender.
   */
  maxBodyBytes: 1024 * 1024,
  /**
   * Bodies buffered at once per route (an entry's admission may say fewer). Beyond it a request is
   * answered 503 with Retry-After before any of its body is read: memory stays bounded (64 × the
   * 500 KB batch cap ≈ 32 MB for the collector) however many uploads are left unfinished. Per
   * route, so uploads left hanging on one public endpoint (the webhook, unsubscribe) cannot take
   * the collector's slots. SDKs retry 503s.
   */
  maxConcurrentBodies: 64,
  /** A request must arrive whole within this, so an unfinished upload frees its slot. */
  requestTimeoutMs: 60_000,
} as const;

/**
 * The embedded host: one node:http server mounting the very entries Cloud Functions run. This is
 * the only place that knows about node:http; entries get a plain HttpRequest (functions/http.ts).
 */
export function createHttpHost(deps: {
  routes: readonly HttpRoute[];
  onError?: (error: unknown) => void;
  maxConcurrentBodies?: number;
}): HttpHost {
  const maxConcurrentBodies = deps.maxConcurrentBodies ?? httpHostDefaults.maxConcurrentBodies;
  let bodiesBeingRead = 0;
  /** Bodies being read, per route (its path). */
  const reading = new Map<string, number>();
  const findRoute = (path: string): HttpRoute | undefined => deps.routes.find((route) => (route.path.endsWith('/') ? path.startsWith(route.path) : path === route.path));

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
  server.requestTimeout = httpHostDefaults.requestTimeoutMs;

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
      const route = findRoute(url.pathname);
      if (!route) return send(res, { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found\n' });
      const entry = route.entry;
      const head: HttpRequestHead = {
        method: req.method ?? 'GET',
        path: url.pathname,
        headers: req.headers as Record<string, string | undefined>,
        query: url.searchParams,
        remoteAddress: req.socket.remoteAddress,
      };
      // Who may send a body, and how much, is decided before a byte of it is read.
      const admission: HttpAdmission = entry.admit?.(head) ?? { maxBodyBytes: httpHostDefaults.maxBodyBytes, tooLarge: defaultTooLarge };
      const declared = Number(req.headers['content-length'] ?? NaN);
      const hasBody = declared > 0 || req.headers['transfer-encoding'] !== undefined;
      if ('refuse' in admission) return hasBody ? sendUnread(req, res, admission.refuse) : send(res, admission.refuse);
      if (declared > admission.maxBodyBytes) return sendUnread(req, res, admission.tooLarge);
      let rawBody: Buffer | null = emptyBody;
      if (hasBody) {
        const inRoute = reading.get(route.path) ?? 0;
        if (inRoute >= Math.min(admission.maxConcurrentBodies ?? maxConcurrentBodies, maxConcurrentBodies)) return sendUnread(req, res, busy);
        reading.set(route.path, inRoute + 1);
        bodiesBeingRead++;
        try {
          rawBody = await readBody(req, admission.maxBodyBytes);
        } finally {
          bodiesBeingRead--;
          reading.set(route.path, (reading.get(route.path) ?? 1) - 1);
        }
      }
      if (rawBody === null) return sendUnread(req, res, admission.tooLarge);
      send(res, await entry({ ...head, rawBody }));
    } catch (error) {
      // A client that hung up mid-upload is not a server error (and a stranger could flood the log with them).
      if (isClientAbort(error)) return void res.destroy();
      deps.onError?.(error);
      if (!res.headersSent) send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error\n' });
      else res.destroy();
    }
  }

  return {
    server,
    bodiesBeingRead: () => bodiesBeingRead,
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

const emptyBody = Buffer.alloc(0);

function isClientAbort(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || (error instanceof Error && error.message === 'aborted');
}
const defaultTooLarge: HttpResponse = {
  status: 413,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ errors: [{ path: '', message: `Request body larger than ${httpHostDefaults.maxBodyBytes} bytes` }] }),
};
const busy: HttpResponse = {
  status: 503,
  headers: { 'content-type': 'application/json', 'retry-after': '1' },
  body: JSON.stringify({ errors: [{ path: '', message: 'Too many uploads in progress; retry shortly' }] }),
};

/**
 * The body, or null the moment it grows past `maxBytes` (the rest is then never buffered: the
 * data listener is gone and the answer closes the connection).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      resolvePromise(null);
    };
    const onEnd = () => resolvePromise(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/**
 * Answers a request whose body is not (or no longer) being read and closes the connection, so
 * the unread rest of an upload is never buffered and cannot be mistaken for the next request.
 */
function sendUnread(req: IncomingMessage, res: ServerResponse, response: HttpResponse): void {
  res.shouldKeepAlive = false;
  res.writeHead(response.status, { ...response.headers, connection: 'close' });
  res.end(response.body);
  // Discard whatever still arrives until the socket closes, without keeping it.
  req.resume();
}
