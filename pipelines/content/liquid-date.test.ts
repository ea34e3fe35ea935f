import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Liquid } from 'liquidjs';
import { dateFilter } from './liquid-date.ts';

// The fast date filter must print exactly what liquidjs's own prints: compare the two engines on
// random instants, formats (names with and without flags, numbers, literals) and locales.
const locales = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP', 'ar-SA', 'fa-IR', 'th-TH'];
const engines = (locale: string) => {
  const builtin = new Liquid({ locale, timezoneOffset: 0 });
  const fast = new Liquid({ locale, timezoneOffset: 0 });
  fast.registerFilter('date', dateFilter);
  return { builtin, fast };
};
const byLocale = new Map(locales.map((locale) => [locale, engines(locale)]));
const piece = fc.constantFrom('%a', '%A', '%b', '%B', '%h', '%^a', '%-d', '%d', '%e', '%H:%M', '%Y', '%m', '%w', '%10B', '%#b', '%_a', '%%a', '%c', ' ', ', ', 'UTC', '\uE000', 'a%');
const format = fc.array(piece, { minLength: 0, maxLength: 6 }).map((parts) => parts.join(''));
const instant = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
const value = fc.oneof(
  instant.map((d) => d.toISOString()),
  instant.map((d) => Math.floor(d.getTime() / 1000)),
  fc.constantFrom('not a date', '', 'now-ish'),
);
const zone = fc.constantFrom(undefined, 0, -330, 480, 'Asia/Tokyo', 'America/New_York');

test('the date filter prints what liquidjs prints, names included', () => {
  fc.assert(
    fc.property(fc.constantFrom(...locales), value, format, zone, (locale, v, f, tz) => {
      const { builtin, fast } = byLocale.get(locale)!;
      const source = tz === undefined ? '{{ v | date: f }}' : '{{ v | date: f, tz }}';
      const scope = { v, f, tz };
      assert.equal(fast.parseAndRenderSync(source, scope), builtin.parseAndRenderSync(source, scope), JSON.stringify({ locale, v, f, tz }));
    }),
    { numRuns: 600 },
  );
});

test('names come from the locale, around month and day boundaries', () => {
  const { fast } = byLocale.get('de-DE')!;
  assert.equal(fast.parseAndRenderSync("{{ '2026-03-01T00:30:00Z' | date: '%A %-d. %B' }}"), 'Sonntag 1. März');
  assert.equal(fast.parseAndRenderSync("{{ '2026-02-28T23:59:00Z' | date: '%a %b' }}"), 'Sa Feb');
  assert.equal(byLocale.get('en-US')!.fast.parseAndRenderSync("{{ 'x' | date: '%a' }}"), 'x', 'an unparseable date is left as it was');
});
