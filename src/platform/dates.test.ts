/** Dates for exports: ISO 8601 with the zone's offset, the same as date-fns writes it, across DST changes. */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { describe, expect, it } from 'vitest';
import { dayKey, isoWithOffset, monthKey } from './dates.ts';

describe('isoWithOffset', () => {
  it('writes the local time with the zone’s offset at that moment', () => {
    expect(isoWithOffset(new Date('2026-11-21T00:00:00.123Z'), 'Asia/Tokyo')).toBe('2026-11-21T09:00:00.123+09:00');
    expect(isoWithOffset(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00.000+00:00');
    expect(isoWithOffset(new Date('2026-07-01T12:00:00Z'), 'America/St_Johns')).toBe('2026-07-01T09:30:00.000-02:30');
  });

  it('agrees with date-fns on every hour of a year with two DST changes, and across zones', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Asia/Tokyo']) {
      for (let hour = 0; hour < 366 * 24; hour += 7) {
        const date = new Date(Date.UTC(2026, 0, 1) + hour * 3_600_000 + 17_123);
        expect(isoWithOffset(date, zone), `${zone} ${date.toISOString()}`).toBe(format(new TZDate(date, zone), "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"));
      }
    }
  });
});

describe('dayKey and monthKey (each remembers its last answer for one minute)', () => {
  it('agree with date-fns across month ends, zones and repeated calls in the same minute', () => {
    for (const zone of ['Asia/Tokyo', 'UTC', 'America/St_Johns', 'Pacific/Kiritimati']) {
      for (let minute = 0; minute < 366 * 24 * 60; minute += 97) {
        const date = new Date(Date.UTC(2026, 0, 1) + minute * 60_000 + 59_000);
        const local = new TZDate(date, zone);
        // The same minute, another zone in between: each call answers for its own zone.
        expect(monthKey(date, zone), `${zone} ${date.toISOString()}`).toBe(format(local, 'yyyy-MM'));
        expect(monthKey(date, 'UTC')).toBe(date.toISOString().slice(0, 7));
        expect(monthKey(date, zone)).toBe(format(local, 'yyyy-MM'));
        expect(dayKey(date, zone)).toBe(format(local, 'yyyy-MM-dd'));
      }
    }
  });

  it('a month that ends within the minute: 23:59 and 00:00 of the next month are different minutes', () => {
    expect(monthKey(new Date('2026-11-30T14:59:59.999Z'), 'Asia/Tokyo')).toBe('2026-11');
    expect(monthKey(new Date('2026-11-30T15:00:00.000Z'), 'Asia/Tokyo')).toBe('2026-12');
  });
});
