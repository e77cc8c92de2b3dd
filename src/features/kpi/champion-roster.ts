/**
 * The champion roster of a big department: above ROSTER_PAGE_THRESHOLD people it is shown a page
 * at a time, the people who need action first, sortable by plain links (`?sort=&dir=&page=`).
 * Here: each person's triage status, the orderings and the parsing of the query (pure).
 */
import { z } from 'astro/zod';

/** Departments with more active people than this get the paged roster; smaller ones the whole table. */
export const ROSTER_PAGE_THRESHOLD = 300;
export const ROSTER_PAGE_SIZE = 100;

/** What a person needs, most urgent first: the order of the "needs action" sort and of the summary. */
export const TRIAGE_STATUSES = ['overdue', 'expired', 'expiring', 'notStarted', 'inProgress', 'done'] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

export const ROSTER_SORTS = ['action', 'name', 'progress', 'lastActivity', 'due'] as const;
export type RosterSort = (typeof ROSTER_SORTS)[number];
export type SortDir = 'asc' | 'desc';

/** One person as the whole-department pass sees them: enough to sort, count and page. */
export interface TriageRow {
  id: number;
  displayName: string;
  email: string;
  status: TriageStatus;
  /** Distinct lessons completed (any cycle): the progress column's sort key. */
  lessons: number;
  /** Read only when sorting by it (null otherwise, and for no activity). */
  lastActivityAt: number | null;
  /** The earliest due date of an assignment not yet completed (ms). */
  dueAt: number | null;
}

export interface RosterQuery {
  sort: RosterSort;
  dir: SortDir;
  page: number;
}

/** The direction a column sorts in when first chosen: the most useful end first. */
export const DEFAULT_DIR: Record<RosterSort, SortDir> = { action: 'asc', name: 'asc', progress: 'asc', lastActivity: 'desc', due: 'asc' };

const Sort = z.enum(ROSTER_SORTS).catch('action');
const Dir = z.enum(['asc', 'desc']).nullable().catch(null);
/** Digits only (a whole number); beyond any real page it is capped, then clamped to the last page. */
const Page = z
  .string()
  .regex(/^\d+$/)
  .transform((digits) => Math.max(1, Math.min(Number(digits), 1_000_000)))
  .catch(1);

/** The query as asked, with a clear default for anything unknown (never an error). The page is clamped later. */
export function parseRosterQuery(params: URLSearchParams): RosterQuery {
  const sort = Sort.parse(params.get('sort') ?? undefined);
  const dir = Dir.parse(params.get('dir')) ?? DEFAULT_DIR[sort];
  return { sort, dir, page: Page.parse(params.get('page') ?? undefined) };
}

/** The triage status from the facts: overdue, then an assigned certificate expired or expiring, then not started. */
export function triageStatus(facts: { overdue: boolean; expired: boolean; expiring: boolean; started: boolean; openAssignments: number }): TriageStatus {
  if (facts.overdue) return 'overdue';
  if (facts.expired) return 'expired';
  if (facts.expiring) return 'expiring';
  if (!facts.started) return 'notStarted';
  return facts.openAssignments > 0 ? 'inProgress' : 'done';
}

const rank = (s: TriageStatus): number => TRIAGE_STATUSES.indexOf(s);
/** Binary order, as SQLite's `order by display_name, email` (the small roster's order). */
const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Nulls last whichever the direction. */
const nullable = (a: number | null, b: number | null, sign: number): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : sign * (a - b));

/** A total order (name, email and id break ties), so that pages never overlap or leave anyone out. */
export function compareRows(sort: RosterSort, dir: SortDir): (a: TriageRow, b: TriageRow) => number {
  const sign = dir === 'asc' ? 1 : -1;
  const key = (a: TriageRow, b: TriageRow): number => {
    switch (sort) {
      case 'action':
        return sign * (rank(a.status) - rank(b.status)) || nullable(a.dueAt, b.dueAt, 1);
      case 'progress':
        return sign * (a.lessons - b.lessons);
      case 'lastActivity':
        return nullable(a.lastActivityAt, b.lastActivityAt, sign);
      case 'due':
        return nullable(a.dueAt, b.dueAt, sign);
      case 'name':
        return sign * (text(a.displayName, b.displayName) || text(a.email, b.email));
    }
  };
  return (a, b) => key(a, b) || text(a.displayName, b.displayName) || text(a.email, b.email) || a.id - b.id;
}

export interface RosterPage {
  query: RosterQuery;
  pages: number;
  total: number;
  /** How many people come before this page. */
  offset: number;
  /** Per triage status, in TRIAGE_STATUSES order. */
  counts: { status: TriageStatus; count: number }[];
  /** This page's people, in order. */
  rows: TriageRow[];
}

/** Sorts everyone, counts the statuses and cuts out the page asked for (clamped to the last page). */
export function rosterPage(rows: TriageRow[], query: RosterQuery, size = ROSTER_PAGE_SIZE): RosterPage {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const page = Math.min(query.page, pages);
  const sorted = [...rows].sort(compareRows(query.sort, query.dir));
  const counts = TRIAGE_STATUSES.map((status) => ({ status, count: rows.filter((r) => r.status === status).length }));
  const offset = (page - 1) * size;
  return { query: { ...query, page }, pages, total: rows.length, offset, counts, rows: sorted.slice(offset, offset + size) };
}

/** The query string of a roster link (defaults left out, so the first page is plain `?`). */
export function rosterHref(base: URLSearchParams, query: RosterQuery): string {
  const params = new URLSearchParams();
  const department = base.get('department');
  if (department) params.set('department', department);
  if (query.sort !== 'action') params.set('sort', query.sort);
  if (query.dir !== DEFAULT_DIR[query.sort]) params.set('dir', query.dir);
  if (query.page > 1) params.set('page', String(query.page));
  const s = params.toString();
  return s ? `?${s}#roster` : '?#roster';
}
