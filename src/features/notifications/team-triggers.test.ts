import { describe, expect, it } from 'vitest';
import { champion, departmentWeek, kpiSummary, sentLines, simulate, snapshot } from './fixtures/snapshots.ts';
import { channelPosts } from './team-triggers.ts';
import { addDays, monthOf, previousMonth } from './working-days.ts';

describe("champions' weekly digest", () => {
  const champions = snapshot({ champions: [champion({ userId: '7' })] });

  it('goes out on Mondays, on Tuesday when Monday is a holiday', () => {
    expect(sentLines(simulate(champions, '2026-11-30', '2027-01-31'))).toEqual([
      '2026-11-30 champion-weekly',
      '2026-12-07 champion-weekly',
      '2026-12-14 champion-weekly',
      '2026-12-21 champion-weekly',
      '2026-12-28 champion-weekly',
      '2027-01-04 champion-weekly',
      '2027-01-12 champion-weekly',
      '2027-01-18 champion-weekly',
      '2027-01-25 champion-weekly',
    ]);
  });

  it('on a configured weekday; caught up later in the same week, never in the next', () => {
    expect(sentLines(simulate(champions, '2026-12-01', '2026-12-20', { weeklyDigestWeekday: 3 }))).toEqual([
      '2026-12-02 champion-weekly',
      '2026-12-09 champion-weekly',
      '2026-12-16 champion-weekly',
    ]);
    const down = (day: string): boolean => day >= '2026-12-14' && day <= '2026-12-16';
    expect(sentLines(simulate(champions, '2026-12-14', '2026-12-27', { down }))).toEqual(['2026-12-17 champion-weekly', '2026-12-21 champion-weekly']);
    const wholeWeek = (day: string): boolean => day >= '2026-12-14' && day <= '2026-12-20';
    expect(sentLines(simulate(champions, '2026-12-14', '2026-12-27', { down: wholeWeek }))).toEqual(['2026-12-21 champion-weekly']);
  });

  it('sends nothing for a week with nothing to report', () => {
    const quiet = snapshot({ champions: [champion({ userId: '7', week: departmentWeek({ newOverdue: [] }) })] });
    expect(simulate(quiet, '2026-12-01', '2026-12-31')).toEqual([]);
  });
});

describe("admins' monthly KPI summary", () => {
  const admins = (day: string) =>
    snapshot({ admins: [{ userId: '9', name: 'Admin', email: 'admin@example.com', locale: 'en', optOut: [], kpi: kpiSummary(previousMonth(monthOf(day))) }] });

  it('goes out on the first working day of the month, about the month before', () => {
    const sent = simulate(admins, '2026-11-15', '2027-02-28');
    expect(sentLines(sent)).toEqual(['2026-12-01 admin-monthly', '2027-01-04 admin-monthly', '2027-02-01 admin-monthly']);
    const months = sent.map((d) => d.sections[0]!.events[0]!.data).map((data) => (data.kind === 'admin-monthly' ? data.kpi.month : null));
    expect(months).toEqual(['2026-11', '2026-12', '2027-01']);
  });

  it('is caught up for 14 days and never sent about another month than the one just ended', () => {
    const down = (day: string): boolean => day >= '2027-01-04' && day <= '2027-01-14';
    expect(sentLines(simulate(admins, '2027-01-01', '2027-01-31', { down }))).toEqual(['2027-01-15 admin-monthly']);
    const late = (day: string): boolean => day >= '2027-01-04' && day <= '2027-01-17';
    expect(sentLines(simulate(admins, '2027-01-01', '2027-01-31', { down: late }))).toEqual([]);
    const wrongMonth = () => snapshot({ admins: [{ userId: '9', name: 'A', email: 'a@example.com', locale: 'en', optOut: [], kpi: kpiSummary('2026-11') }] });
    expect(simulate(wrongMonth, '2027-01-01', '2027-01-31')).toEqual([]);
  });
});

describe('channel posts', () => {
  it('posts to a department channel and the programme channel on the e-mail days, with keys of their own', () => {
    const input = { departments: [departmentWeek(), departmentWeek({ department: { id: 'hr', name: '人事部' }, newOverdue: [] })], programme: kpiSummary('2026-12') };
    const posting = (day: string) => channelPosts(input, day).map((post) => `${day} ${post.target.kind} ${post.key}`);
    const days = Array.from({ length: 14 }, (_, i) => addDays('2027-01-01', i));
    expect(days.flatMap(posting).filter((line) => line.startsWith('2027-01-04'))).toEqual([
      '2027-01-04 department channel-department-sales:champion-weekly:sales:2027-W01',
      '2027-01-04 programme channel-programme:admin-monthly:kpi:2026-12',
    ]);
    expect(posting('2027-01-01')).toEqual([]); // New Year's Day
    expect(posting('2027-01-12')).toEqual([
      '2027-01-12 department channel-department-sales:champion-weekly:sales:2027-W02',
      '2027-01-12 programme channel-programme:admin-monthly:kpi:2026-12',
    ]);
  });
});
