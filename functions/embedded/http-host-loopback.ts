/**
 * Loopback checks for the embedded host's local-only routes (the /outbox page, the admin query).
 * Listening on 127.0.0.1 is not enough: a web page can point a DNS name it controls at 127.0.0.1
 * (DNS rebinding) and read those routes from the victim's browser. The browser still sends that
 * name as `Host`, so a local-only route answers only when Host is a loopback name (or a name the
 * operator configured), and only to clients on this machine.
 */

/** True for localhost names and loopback addresses (127.0.0.0/8, ::1), as a bind address or host name. */
export function isLoopbackName(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name) || name === '::ffff:127.0.0.1';
}

/** The host name of a Host header, without port and brackets' port ("[::1]:8080" → "[::1]"); null when absent. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    return end < 0 ? null : trimmed.slice(0, end + 1);
  }
  const name = trimmed.replace(/:\d+$/, '');
  return name === '' ? null : name;
}

/** Whether a local-only route may answer a request with this Host header. */
export function isAllowedLocalHost(header: string | undefined, allowedHosts: readonly string[] = []): boolean {
  const name = hostNameOf(header);
  if (name === null) return false;
  return isLoopbackName(name) || allowedHosts.some((allowed) => allowed.toLowerCase() === name);
}

/** Whether the client's socket address is on this machine (an absent address is not). */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && isLoopbackName(address);
}
