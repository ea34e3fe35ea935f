import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isInQuietHours, isValidTimeZone, nextAllowedInstant, readLocalTime, resolveTimeZone, startOfLocalDay } from './local-time.ts';

const night = { start: '21:00', end: '08:00' };
const next = (at: string, timeZone: string, quietHours = night) => nextAllowedInstant(new Date(at), timeZone, quietHours)?.toISOString() ?? null;

describe('readLocalTime', () => {
  const cases: [string, string, string, number, number][] = [
    ['2026-06-01T23:30:00.000Z', 'Asia/Tokyo', '2026-06-02', 8, 30],
    ['2026-06-01T14:59:59.999Z', 'Asia/Tokyo', '2026-06-01', 23, 59],
    ['2026-06-01T15:00:00.000Z', 'Asia/Tokyo', '2026-06-02', 0, 0],
    ['2026-03-29T00:59:00.000Z', 'Europe/Berlin', '2026-03-29', 1, 59],
    ['2026-03-29T01:00:00.000Z', 'Europe/Berlin', '2026-03-29', 3, 0],
    ['2026-11-01T05:30:00.000Z', 'America/New_York', '2026-11-01', 1, 30],
    ['2026-11-01T06:30:00.000Z', 'America/New_York', '2026-11-01', 1, 30],
    ['2026-01-01T00:00:00.000Z', 'UTC', '2026-01-01', 0, 0],
  ];
  for (const [at, zone, date, hour, minute] of cases) {
    test(`${at} in ${zone} is ${date} ${hour}:${minute}`, () => assert.deepEqual(readLocalTime(new Date(at), zone), { date, hour, minute }));
  }
});

describe('time zone names', () => {
  test('valid IANA names pass, free text does not', () => {
    assert.deepEqual(['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kolkata'].map(isValidTimeZone), [true, true, true, true]);
    assert.deepEqual(['Mars/Olympus', '', 'GMT+25', 'berlin please'].map(isValidTimeZone), [false, false, false, false]);
  });
  test('resolveTimeZone falls back for anything that is not a valid name', () => {
    assert.equal(resolveTimeZone('Asia/Tokyo', 'UTC'), 'Asia/Tokyo');
    assert.equal(resolveTimeZone('Mars/Olympus', 'UTC'), 'UTC');
    assert.equal(resolveTimeZone(null, 'Europe/Berlin'), 'Europe/Berlin');
    assert.equal(resolveTimeZone(42, 'UTC'), 'UTC');
  });
});

describe('nextAllowedInstant with quiet hours 21:00–08:00', () => {
  const cases: [string, string, string, string | null][] = [
    // [why, at, zone, expected]
    ['UTC, 20:59 is allowed', '2026-06-01T20:59:00.000Z', 'UTC', null],
    ['UTC, 21:00 starts the window: tomorrow 08:00', '2026-06-01T21:00:00.000Z', 'UTC', '2026-06-02T08:00:00.000Z'],
    ['UTC, 23:59 wraps to the next day', '2026-06-01T23:59:59.000Z', 'UTC', '2026-06-02T08:00:00.000Z'],
    ['UTC, 00:00 is already the day that ends the window', '2026-06-02T00:00:00.000Z', 'UTC', '2026-06-02T08:00:00.000Z'],
    ['UTC, 07:59:59 waits one second', '2026-06-02T07:59:59.000Z', 'UTC', '2026-06-02T08:00:00.000Z'],
    ['UTC, 08:00 is allowed', '2026-06-02T08:00:00.000Z', 'UTC', null],
    ['UTC, year end wraps into the new year', '2026-12-31T22:00:00.000Z', 'UTC', '2027-01-01T08:00:00.000Z'],
    // Berlin springs forward on 2026-03-29 (02:00 CET → 03:00 CEST): 08:00 that morning is 06:00Z, not 07:00Z.
    ['Berlin, the evening before spring forward', '2026-03-28T22:00:00.000Z', 'Europe/Berlin', '2026-03-29T06:00:00.000Z'],
    ['Berlin, inside the skipped hour', '2026-03-29T01:30:00.000Z', 'Europe/Berlin', '2026-03-29T06:00:00.000Z'],
    // ... and falls back on 2026-10-25 (03:00 CEST → 02:00 CET): 08:00 that morning is 07:00Z.
    ['Berlin, the evening before fall back', '2026-10-24T21:00:00.000Z', 'Europe/Berlin', '2026-10-25T07:00:00.000Z'],
    ['Berlin, in the repeated hour', '2026-10-25T00:30:00.000Z', 'Europe/Berlin', '2026-10-25T07:00:00.000Z'],
    ['Berlin, 20:59 CEST is allowed', '2026-06-01T18:59:00.000Z', 'Europe/Berlin', null],
    ['Berlin, 21:00 CEST (19:00Z) is quiet', '2026-06-01T19:00:00.000Z', 'Europe/Berlin', '2026-06-02T06:00:00.000Z'],
    // New York springs forward on 2026-03-08 (02:00 EST → 03:00 EDT) and falls back on 2026-11-01.
    ['New York, the evening before spring forward', '2026-03-08T04:00:00.000Z', 'America/New_York', '2026-03-08T12:00:00.000Z'],
    ['New York, the evening before fall back', '2026-11-01T03:00:00.000Z', 'America/New_York', '2026-11-01T13:00:00.000Z'],
    ['New York, in the repeated 01:00 hour (second pass)', '2026-11-01T06:30:00.000Z', 'America/New_York', '2026-11-01T13:00:00.000Z'],
    // Tokyo (UTC+9, no DST): around midnight UTC it is morning of the next local day.
    ['Tokyo, 07:30 local, 22:30Z the day before', '2026-06-01T22:30:00.000Z', 'Asia/Tokyo', '2026-06-01T23:00:00.000Z'],
    ['Tokyo, 08:30 local while UTC is still on the previous date', '2026-06-01T23:30:00.000Z', 'Asia/Tokyo', null],
    ['Tokyo, 00:30 local right after local midnight', '2026-06-01T15:30:00.000Z', 'Asia/Tokyo', '2026-06-01T23:00:00.000Z'],
    ['Tokyo, 21:30 local', '2026-06-01T12:30:00.000Z', 'Asia/Tokyo', '2026-06-01T23:00:00.000Z'],
    ['Kolkata (UTC+5:30), 07:45 local', '2026-06-01T02:15:00.000Z', 'Asia/Kolkata', '2026-06-01T02:30:00.000Z'],
  ];
  for (const [why, at, zone, expected] of cases) {
    test(why, () => {
      assert.equal(next(at, zone), expected);
      assert.equal(isInQuietHours(new Date(at), zone, night), expected !== null);
      if (expected) {
        assert.ok(expected > at, 'never in the past');
        const local = readLocalTime(new Date(expected), zone);
        assert.deepEqual([local.hour, local.minute], [8, 0], 'the local clock shows the end of the window');
      }
    });
  }
});

describe('nextAllowedInstant when the window ends inside a DST change (02:30 in Berlin)', () => {
  const early = { start: '21:00', end: '02:30' };
  test('spring forward skips 02:30: the first allowed instant is the jump to 03:00 CEST', () => {
    assert.equal(next('2026-03-29T00:30:00.000Z', 'Europe/Berlin', early), '2026-03-29T01:00:00.000Z');
    assert.deepEqual(readLocalTime(new Date('2026-03-29T01:00:00.000Z'), 'Europe/Berlin'), { date: '2026-03-29', hour: 3, minute: 0 });
  });
  test('fall back shows 02:30 twice: the first pass ends the window', () => {
    assert.equal(next('2026-10-24T23:30:00.000Z', 'Europe/Berlin', early), '2026-10-25T00:30:00.000Z');
  });
  test('during the second pass of the repeated hour, the second 02:30 ends it', () => {
    assert.equal(next('2026-10-25T01:10:00.000Z', 'Europe/Berlin', early), '2026-10-25T01:30:00.000Z');
  });
});

describe('other windows', () => {
  test('a daytime window that does not wrap', () => {
    const lunch = { start: '12:00', end: '14:00' };
    assert.equal(next('2026-06-01T11:59:00.000Z', 'UTC', lunch), null);
    assert.equal(next('2026-06-01T12:00:00.000Z', 'UTC', lunch), '2026-06-01T14:00:00.000Z');
    assert.equal(next('2026-06-01T14:00:00.000Z', 'UTC', lunch), null);
    assert.equal(next('2026-06-01T23:00:00.000Z', 'UTC', lunch), null);
  });
  test('start = end means no quiet hours', () => {
    for (const at of ['2026-06-01T00:00:00.000Z', '2026-06-01T08:00:00.000Z', '2026-06-01T23:59:00.000Z']) {
      assert.equal(next(at, 'UTC', { start: '08:00', end: '08:00' }), null);
    }
  });
});

describe('startOfLocalDay', () => {
  const cases: [string, string, string][] = [
    ['2026-06-01T23:30:00.000Z', 'Asia/Tokyo', '2026-06-01T15:00:00.000Z'],
    ['2026-06-01T14:59:59.000Z', 'Asia/Tokyo', '2026-05-31T15:00:00.000Z'],
    ['2026-03-29T12:00:00.000Z', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    ['2026-10-25T12:00:00.000Z', 'Europe/Berlin', '2026-10-24T22:00:00.000Z'],
    ['2026-11-01T18:00:00.000Z', 'America/New_York', '2026-11-01T04:00:00.000Z'],
    ['2026-06-01T00:00:00.000Z', 'UTC', '2026-06-01T00:00:00.000Z'],
  ];
  for (const [at, zone, expected] of cases) {
    test(`${at} in ${zone}: the local day began at ${expected}`, () => assert.equal(startOfLocalDay(new Date(at), zone).toISOString(), expected));
  }
  test('a day whose midnight does not exist begins at the first instant it does (Santiago, DST at 24:00)', () => {
    // Chile moves its clocks at midnight; whatever the rules in the runtime's tz data, the start of
    // the day must be the first instant showing that date.
    const start = startOfLocalDay(new Date('2026-09-06T12:00:00.000Z'), 'America/Santiago');
    assert.equal(readLocalTime(start, 'America/Santiago').date, '2026-09-06');
    assert.equal(readLocalTime(new Date(start.getTime() - 1), 'America/Santiago').date, '2026-09-05');
  });
});
