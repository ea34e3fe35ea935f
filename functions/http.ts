/**
 * The plain request/response every entry sees. Each platform translates at its edge
 * (functions-framework's Express request on GCP, node:http in the embedded host), so the
 * entries and the pipelines below them never touch a framework (DESIGN.md §8, hono adapters).
 */
export type HttpRequest = {
  method: string;
  /** Path without the query string, e.g. "/v1/batch". */
  path: string;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
  query: URLSearchParams;
  /** The exact bytes received (still gzip-compressed when Content-Encoding says so). */
  rawBody: Buffer;
  /** Best-effort client address, for logs and rate limits only. */
  remoteAddress?: string;
};

export type HttpResponse = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
};

export type HttpEntry = (request: HttpRequest) => Promise<HttpResponse>;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
