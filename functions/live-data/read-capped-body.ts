/**
 * The body of an answer as text, or 'too_large' as soon as it passes `maxBytes`: the rest is never
 * read (the stream is cancelled, which closes the connection), so an endless or huge answer costs
 * at most `maxBytes` of memory. A declared Content-Length over the cap is refused before reading.
 * Bytes that are not UTF-8 are 'not_utf8'. Rejects only as the stream does (abort, reset).
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<string | 'too_large' | 'not_utf8'> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return 'too_large';
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return 'too_large';
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    return 'not_utf8';
  }
}
