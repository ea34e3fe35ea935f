import { filters, toValue } from 'liquidjs';
import type { FilterImplOptions } from 'liquidjs';

/** liquidjs's filter function type (not exported by name): `this` carries the render context. */
type FilterHandler = Exclude<FilterImplOptions, { handler: unknown }>;

/**
 * liquidjs's own `date` filter, made cheap for day and month names. liquidjs builds a new
 * Intl.DateTimeFormat for every %a/%A/%b/%B it prints (~50 µs each); one `{{ offer.expires_at | date:
 * '%a %-d %b' }}` in the HTML and text parts was a third of a whole email render. Here plain name
 * directives are swapped for their number (%w weekday, %m month) between markers, the built-in filter
 * formats the rest as always, and the markers are replaced by the name from a formatter made once per
 * locale. Same Intl output for the same locale and the same local weekday or month, so the result is
 * the built-in's; anything else (flags or widths on names, a non-Gregorian locale, a format or value
 * holding the marker characters) goes to the built-in untouched.
 */
export const dateFilter: FilterHandler = function (value, format, timezoneOffset) {
  const locale = this.context.opts.locale;
  const fmt = toValue(format) as unknown;
  if (typeof fmt !== 'string' || fmt.includes(open) || fmt.includes(close) || (typeof value === 'string' && (value.includes(open) || value.includes(close)))) {
    return builtin.call(this, value, format, timezoneOffset);
  }
  const rewritten = rewriteNames(fmt);
  const names = rewritten === fmt ? undefined : namesFor(locale);
  if (!names) return builtin.call(this, value, format, timezoneOffset);
  const out = builtin.call(this, value, rewritten, timezoneOffset) as unknown;
  // An unparseable date comes back as the input itself, markers never having been printed.
  if (typeof out !== 'string') return out;
  return out.replace(marked, (_, kind: NameKind, n: string) => names[kind][Number(n) - (kind === 'a' || kind === 'A' ? 0 : 1)] ?? '');
};

const builtin = toHandler(filters.date);

type NameKind = 'a' | 'A' | 'b' | 'B';
type Names = Record<NameKind, string[]>;

// Private-use code points: not something a format string or date value contains by accident (checked anyway).
const open = '\uE000';
const close = '\uE001';
const marked = /\uE000([aAbB])(\d+)\uE001/g;
/** strftime's own directive grammar (liquidjs `rFormat`), matched left to right as it does. */
const directive = /%([-_0^#:]+)?(\d+)?([EO])?(.)/;
const numberFor: Record<string, [NameKind, string]> = { a: ['a', '%w'], A: ['A', '%w'], b: ['b', '%m'], h: ['b', '%m'], B: ['B', '%m'] };

function rewriteNames(format: string): string {
  let output = '';
  let remaining = format;
  let match: RegExpExecArray | null;
  while ((match = directive.exec(remaining))) {
    const [input, flags, width, modifier, conversion] = match;
    const swap = !flags && !width && !modifier ? numberFor[conversion!] : undefined;
    output += remaining.slice(0, match.index) + (swap ? `${open}${swap[0]}${swap[1]}${close}` : input);
    remaining = remaining.slice(match.index + input.length);
  }
  return output + remaining;
}

const namesByLocale = new Map<string, Names | null>();

/** Day and month names as liquidjs prints them for `locale`; null when names depend on more than the weekday or month. */
function namesFor(locale: string): Names | null {
  let names = namesByLocale.get(locale);
  if (names === undefined) {
    names = computeNames(locale);
    namesByLocale.set(locale, names);
  }
  return names;
}

function computeNames(locale: string): Names | null {
  try {
    // Other calendars (e.g. Islamic, Persian) name months by the full date, not by the Gregorian month.
    if (new Intl.DateTimeFormat(locale).resolvedOptions().calendar !== 'gregory') return null;
    const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options);
    // Local noon dates, as liquidjs formats its display date in the host's local time.
    const day = (i: number) => new Date(2024, 0, 7 + i, 12); // 2024-01-07 is a Sunday
    const month = (i: number) => new Date(2024, i, 15, 12);
    const list = (count: number, at: (i: number) => Date, f: Intl.DateTimeFormat) => Array.from({ length: count }, (_, i) => f.format(at(i)));
    return {
      a: list(7, day, format({ weekday: 'short' })),
      A: list(7, day, format({ weekday: 'long' })),
      b: list(12, month, format({ month: 'short' })),
      B: list(12, month, format({ month: 'long' })),
    };
  } catch {
    return null;
  }
}

function toHandler(options: FilterImplOptions | undefined): FilterHandler {
  if (typeof options === 'function') return options;
  if (options) return options.handler;
  throw new Error('liquidjs has no built-in date filter');
}
