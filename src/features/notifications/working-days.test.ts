import { describe, expect, it } from 'vitest';
import {
  addDays,
  firstWorkingDayOfMonth,
  isJapaneseHoliday,
  isLocalDay,
  isoWeekKey,
  isWorkingDay,
  lastDayOfMonth,
  nextSendInstant,
  previousMonth,
  runDayAt,
  sendInstant,
  weeklyDigestDay,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
} from './working-days.ts';

const TOKYO = { timeZone: 'Asia/Tokyo', hour: 9 };
const BERLIN = { timeZone: 'Europe/Berlin', hour: 9 };

describe('working days', () => {
  it('knows weekends and Japanese public holidays', () => {
    expect(isJapaneseHoliday('2027-01-01')).toBe(true);
    expect(isWorkingDay('2027-01-01')).toBe(false); // Friday, New Year's Day
    expect(isWorkingDay('2026-12-19')).toBe(false); // Saturday
    expect(isWorkingDay('2026-12-20')).toBe(false); // Sunday
    expect(isWorkingDay('2027-01-11')).toBe(false); // Monday, Coming of Age Day
    expect(isWorkingDay('2026-12-18')).toBe(true); // Friday
    expect(isWorkingDay('2026-12-31')).toBe(true); // not a public holiday
  });

  it('moves a day to the working day before or after it', () => {
    expect(workingDayOnOrBefore('2026-12-13')).toBe('2026-12-11');
    expect(workingDayOnOrBefore('2026-12-14')).toBe('2026-12-14');
    expect(workingDayOnOrAfter('2027-01-01')).toBe('2027-01-04');
    // Golden Week 2027: 29 April, then 1–5 May off.
    expect(workingDayOnOrAfter('2027-05-01')).toBe('2027-05-06');
    expect(workingDayOnOrBefore('2027-05-05')).toBe('2027-04-30');
  });

  it('finds the first working day of a month and the weekly digest day', () => {
    expect(firstWorkingDayOfMonth('2027-01')).toBe('2027-01-04');
    expect(firstWorkingDayOfMonth('2026-12')).toBe('2026-12-01');
    expect(firstWorkingDayOfMonth('2027-05')).toBe('2027-05-06');
    expect(weeklyDigestDay('2026-12-30')).toBe('2026-12-28');
    expect(weeklyDigestDay('2027-01-15')).toBe('2027-01-12'); // Monday the 11th is a holiday
    expect(weeklyDigestDay('2027-05-07')).toBe('2027-05-06');
    expect(weeklyDigestDay('2027-01-01', 5)).toBeNull(); // Friday off, then the weekend
    expect(weeklyDigestDay('2026-12-16', 3)).toBe('2026-12-16');
    expect(() => weeklyDigestDay('2026-12-16', 6)).toThrow(/1 \(Monday\) to 5 \(Friday\)/);
  });

  it('does calendar arithmetic on days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-03-28', 1)).toBe('2027-03-29');
    expect(isoWeekKey('2027-01-01')).toBe('2026-W53');
    expect(isoWeekKey('2026-12-14')).toBe('2026-W51');
    expect(lastDayOfMonth('2028-02')).toBe('2028-02-29');
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(isLocalDay('2026-02-30')).toBe(false);
    expect(() => addDays('2026-13-01', 1)).toThrow(/Not a calendar day/);
  });
});

describe('send time', () => {
  it('is 09:00 local time on a working day in Asia/Tokyo', () => {
    expect(sendInstant('2026-12-14', TOKYO).toISOString()).toBe('2026-12-14T00:00:00.000Z');
    // Friday 09:00:01: the next is Monday.
    expect(nextSendInstant(new Date('2026-12-18T00:00:01Z'), TOKYO).toISOString()).toBe('2026-12-21T00:00:00.000Z');
    // At 09:00 sharp, that is the instant itself.
    expect(nextSendInstant(new Date('2026-12-31T00:00:00Z'), TOKYO).toISOString()).toBe('2026-12-31T00:00:00.000Z');
    // After it on New Year's Eve: over New Year's Day and the weekend to Monday the 4th.
    expect(nextSendInstant(new Date('2026-12-31T01:00:00Z'), TOKYO).toISOString()).toBe('2027-01-04T00:00:00.000Z');
    expect(nextSendInstant(new Date('2026-12-13T12:00:00Z'), { ...TOKYO, hour: 7 }).toISOString()).toBe('2026-12-13T22:00:00.000Z');
  });

  it('keeps 09:00 local across DST in Europe/Berlin', () => {
    expect(sendInstant('2027-03-26', BERLIN).toISOString()).toBe('2027-03-26T08:00:00.000Z'); // CET
    expect(sendInstant('2027-03-29', BERLIN).toISOString()).toBe('2027-03-29T07:00:00.000Z'); // CEST
    expect(nextSendInstant(new Date('2027-03-26T09:00:00Z'), BERLIN).toISOString()).toBe('2027-03-29T07:00:00.000Z');
    expect(sendInstant('2027-10-29', BERLIN).toISOString()).toBe('2027-10-29T07:00:00.000Z'); // CEST
    expect(sendInstant('2027-11-01', BERLIN).toISOString()).toBe('2027-11-01T08:00:00.000Z'); // CET
    // 02:00 does not exist on 28 March 2027: the first instant after the gap, 03:00 CEST.
    expect(sendInstant('2027-03-28', { ...BERLIN, hour: 2 }).toISOString()).toBe('2027-03-28T01:00:00.000Z');
  });

  it('says which day is due to run', () => {
    expect(runDayAt(new Date('2026-12-14T23:59:00Z'), TOKYO)).toBeNull(); // 08:59 on the 15th
    expect(runDayAt(new Date('2026-12-15T00:00:00Z'), TOKYO)).toBe('2026-12-15');
    expect(runDayAt(new Date('2026-12-19T03:00:00Z'), TOKYO)).toBeNull(); // Saturday
    expect(runDayAt(new Date('2027-01-01T03:00:00Z'), TOKYO)).toBeNull(); // New Year's Day
    expect(runDayAt(new Date('2027-03-29T06:59:00Z'), BERLIN)).toBeNull();
    expect(runDayAt(new Date('2027-03-29T07:00:00Z'), BERLIN)).toBe('2027-03-29');
  });

  it('refuses a bad hour or time zone with a clear message', () => {
    expect(() => sendInstant('2026-12-14', { ...TOKYO, hour: 24 })).toThrow(/whole hour from 0 to 23/);
    expect(() => sendInstant('2026-12-14', { timeZone: 'Mars/Olympus', hour: 9 })).toThrow(/Unknown time zone/);
  });
});
