import { gunzipSync } from 'node:zlib';

export type DecodedBody =
  | { ok: true; json: unknown; bytes: number }
  /** `payload`: what a dead letter can keep of a body that was read but is not JSON. */
  | { ok: false; status: 400 | 413 | 415; message: string; payload?: string };

const gzipMagic = [0x1f, 0x8b];

/**
 * Raw bytes → JSON, enforcing the endpoint's size limit (`limitBytes`) on the *decompressed* body
 * too, so a small gzip bomb cannot blow up memory. Some platforms (functions-framework's body parser) have already
 * inflated the body, so gzip is detected by its magic bytes rather than trusted from the header.
 */
export function decodeBody(rawBody: Buffer, contentEncoding: string | undefined, limitBytes: number): DecodedBody {
  let body = rawBody;
  const encoding = contentEncoding?.trim().toLowerCase();
  if (encoding && encoding !== 'identity' && encoding !== 'gzip') {
    return { ok: false, status: 415, message: `Content-Encoding "${encoding}" is not supported; send gzip or no encoding` };
  }
  if (encoding === 'gzip' && body[0] === gzipMagic[0] && body[1] === gzipMagic[1]) {
    try {
      body = gunzipSync(body, { maxOutputLength: limitBytes + 1 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return { ok: false, status: 413, message: `Body is larger than ${limitBytes} bytes once decompressed` };
      }
      return { ok: false, status: 400, message: 'Body is not valid gzip', payload: `[${body.length} bytes that are not valid gzip]` };
    }
  }
  if (body.length > limitBytes) {
    return { ok: false, status: 413, message: `Body is ${body.length} bytes; the limit is ${limitBytes} bytes per request` };
  }
  if (body.length === 0) return { ok: false, status: 400, message: 'Body is empty; expected a JSON object', payload: '' };
  try {
    return { ok: true, json: JSON.parse(body.toString('utf8')), bytes: body.length };
  } catch (error) {
    return { ok: false, status: 400, message: `Body is not valid JSON: ${(error as Error).message}`, payload: body.toString('utf8') };
  }
}
