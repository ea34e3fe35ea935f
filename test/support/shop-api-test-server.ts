import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in shop API for tests: a real node:http server on 127.0.0.1 (ephemeral port) whose
 * next answers are scripted, one handler per request (the last one repeats). It records what it
 * was asked, so tests can check the URL and headers nudge sent.
 */
export type ShopHandler = (request: IncomingMessage, response: ServerResponse, ids: string[]) => void;

export type TestShopServer = {
  baseUrl: string;
  requests: { url: string; ids: string[]; authorization: string | undefined }[];
  /** Handlers for the next requests, in order; the last one keeps answering. */
  script: (...handlers: ShopHandler[]) => void;
  close: () => Promise<void>;
};

export async function startTestShopServer(): Promise<TestShopServer> {
  let handlers: ShopHandler[] = [answerProducts(() => [])];
  const requests: TestShopServer['requests'] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://test');
    const raw = /[?&]ids=([^&]*)/.exec(request.url ?? '')?.[1] ?? '';
    const ids = raw === '' ? [] : raw.split(',').map(decodeURIComponent);
    requests.push({ url: url.pathname + url.search, ids, authorization: request.headers.authorization });
    const handler = handlers.length > 1 ? handlers.shift()! : handlers[0]!;
    handler(request, response, ids);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (...next) => {
      handlers = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** 200 with `{"products": …}` built from the requested ids. */
export function answerProducts(productsFor: (ids: string[]) => unknown[]): ShopHandler {
  return (_request, response, ids) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ products: productsFor(ids) }));
  };
}

export function answerRaw(status: number, body: string, headers: Record<string, string> = {}): ShopHandler {
  return (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };
}

/** Never answers; the connection stays open until the client gives up or the server closes. */
export const hang: ShopHandler = () => {};

/**
 * A 200 whose JSON never ends: it writes until the client hangs up (or 100 MB, so a broken client
 * cannot exhaust memory). `written()` says how far it got.
 */
export function endlessBody(): ShopHandler & { written: () => number } {
  let written = 0;
  const handler: ShopHandler = (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"products":[');
    const chunk = `${'{"id":"filler","name":"x"},'.repeat(2500)}`;
    const pump = () => {
      while (!response.destroyed && written < 100_000_000) {
        written += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      if (!response.destroyed) response.end(']}');
    };
    pump();
  };
  return Object.assign(handler, { written: () => written });
}
