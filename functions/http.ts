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

/** What a host knows of a request before reading its body. */
export type HttpRequestHead = Omit<HttpRequest, 'rawBody'>;

/**
 * An entry's decision before any body byte is read, so strangers cost no memory: refuse at once
 * (401 unknown key, 413 Content-Length over the cap, 404, 405), or read at most `maxBodyBytes`
 * and answer `tooLarge` the moment the body grows past it.
 */
export type HttpAdmission =
  | { refuse: HttpResponse }
  | {
      maxBodyBytes: number;
      tooLarge: HttpResponse;
      /** Bodies of this route read at once (the host's default when absent); beyond it 503, unread. */
      maxConcurrentBodies?: number;
    };

/**
 * An entry. `admit`, when present, is asked by hosts that stream the body (the embedded host)
 * before reading it; the entry still applies the same checks itself, because some platforms
 * (functions-framework) hand it a body they have already read.
 */
export type HttpEntry = ((request: HttpRequest) => Promise<HttpResponse>) & { admit?: (head: HttpRequestHead) => HttpAdmission };

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
