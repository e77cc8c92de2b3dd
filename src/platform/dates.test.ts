/** Dates for exports: ISO 8601 with the zone's offset, the same as date-fns writes it, across DST changes. */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { describe, expect, it } from 'vitest';
import { isoWithOffset } from './dates.ts';

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
