/**
 * Reads back the .eml files the outbox mailer writes, for the /outbox page and tests: header
 * unfolding, RFC 2047 encoded-words, one level of multipart, quoted-printable and base64 bodies.
 * Not a general MIME parser — it reads what nodemailer's MailComposer produces (UTF-8 text and
 * html parts), which is all the outbox ever holds.
 */

export type ParsedEml = {
  /** Lower-cased header name → unfolded, decoded value (the last one wins for repeated names). */
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
};

export function parseEml(raw: string): ParsedEml {
  const { headers, body } = splitEntity(raw);
  const parts: Array<{ headers: Record<string, string>; body: string }> = [];
  const boundary = /^multipart\//i.test(headers['content-type'] ?? '') ? parameterOf(headers['content-type']!, 'boundary') : null;
  if (boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      parts.push(splitEntity(chunk.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
    }
  } else {
    parts.push({ headers, body });
  }
  const find = (type: string) => {
    const part = parts.find((p) => (p.headers['content-type'] ?? 'text/plain').toLowerCase().startsWith(type));
    return part ? decodeBody(part.body, part.headers['content-transfer-encoding'], parameterOf(part.headers['content-type'] ?? '', 'charset')) : null;
  };
  return { headers, text: find('text/plain'), html: find('text/html') };
}

/** Headers only: enough for a listing, without decoding bodies. */
export function parseEmlHeaders(raw: string): Record<string, string> {
  return splitEntity(raw).headers;
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers: Record<string, string> = {};
  // Unfold: a line starting with whitespace continues the previous header.
  for (const line of head.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] = decodeEncodedWords(line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  return { headers, body };
}

function parameterOf(headerValue: string, name: string): string | null {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(headerValue);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function decodeEncodedWords(value: string): string {
  // Whitespace between two adjacent encoded-words is not part of the text (RFC 2047 §6.2).
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?]+\?[QqBb]\?[^?]*\?=)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : quotedPrintableBytes(text.replace(/_/g, ' '));
      return decodeCharset(bytes, charset);
    });
}

function decodeBody(body: string, transferEncoding: string | undefined, charset: string | null): string {
  const encoding = (transferEncoding ?? '7bit').toLowerCase();
  if (encoding === 'base64') return decodeCharset(Buffer.from(body.replace(/\s+/g, ''), 'base64'), charset);
  if (encoding === 'quoted-printable') return decodeCharset(quotedPrintableBytes(body.replace(/=\r?\n/g, '')), charset);
  return body;
}

function quotedPrintableBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      // Whole code points, so a stray non-ASCII character survives as its UTF-8 bytes.
      const char = String.fromCodePoint(text.codePointAt(i)!);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes: Buffer, charset: string | null): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}
