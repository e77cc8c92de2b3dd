/** The rollout programme: waves and their KPI targets, assignments and enrolments, the monthly check-in, help-desk inquiries. */
import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { COMPARATORS, TARGET_KPIS } from '../../src/features/kpi/kpi.ts';
import { ASSIGNMENT_TARGETS } from '../schema/programme.ts';
import { ROLES } from '../../src/features/users/roles.ts';
import { createdAt, timestampMs } from './columns.ts';
import { departments, users } from './users.ts';

/** Rollout waves: pilot → expansion → company-wide, or the company's own names. */
export const waves = pgTable('waves', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  /** Order on the wave list, lowest first. */
  position: integer('position').notNull().default(0),
  /** `YYYY-MM-DD` */
  startDate: text('start_date').notNull(),
  endDate: text('end_date').notNull(),
  description: text('description'),
  createdAt: createdAt(),
});

export const waveDepartments = pgTable(
  'wave_departments',
  {
    waveId: integer('wave_id')
      .notNull()
      .references(() => waves.id, { onDelete: 'cascade' }),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.waveId, t.departmentId] }), index('wave_departments_department_idx').on(t.departmentId)],
);

/** A wave's goal for one KPI, e.g. usage rate ≥ 60 %. Rates are stored as fractions (0.6). */
export const waveTargets = pgTable(
  'wave_targets',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    waveId: integer('wave_id')
      .notNull()
      .references(() => waves.id, { onDelete: 'cascade' }),
    kpi: text('kpi', { enum: TARGET_KPIS }).notNull(),
    comparator: text('comparator', { enum: COMPARATORS }).notNull().default('gte'),
    value: doublePrecision('value').notNull(),
  },
  (t) => [uniqueIndex('wave_targets_wave_kpi_unique').on(t.waveId, t.kpi)],
);

/** Training assigned to a group, with a due date (absolute, or N days after the user joined). */
export const assignments = pgTable(
  'assignments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    tierId: text('tier_id').notNull(),
    targetKind: text('target_kind', { enum: ASSIGNMENT_TARGETS }).notNull(),
    targetRole: text('target_role', { enum: ROLES }),
    targetDepartmentId: integer('target_department_id').references(() => departments.id, { onDelete: 'cascade' }),
    targetWaveId: integer('target_wave_id').references(() => waves.id, { onDelete: 'cascade' }),
    /** `YYYY-MM-DD`: due on this day (end of day, app time zone). */
    dueDate: text('due_date'),
    /** Due this many days after the user joined the assignment. */
    dueDays: integer('due_days'),
    /**
     * The admin's override of the tier's `validForMonths` for the people this assignment covers:
     * their certificates of the tier expire after this many months and renew (the shortest wins
     * when several assignments cover one person). Null: the tier's own setting.
     */
    validForMonths: integer('valid_for_months'),
    /** One of the built-in defaults (everyone → basic, champions → applied, admins → specialist). */
    isDefault: boolean('is_default').notNull().default(false),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'assignments_target_check',
      sql`(${t.targetKind} = 'everyone' and ${t.targetRole} is null and ${t.targetDepartmentId} is null and ${t.targetWaveId} is null)
        or (${t.targetKind} = 'role' and ${t.targetRole} is not null and ${t.targetDepartmentId} is null and ${t.targetWaveId} is null)
        or (${t.targetKind} = 'department' and ${t.targetDepartmentId} is not null and ${t.targetRole} is null and ${t.targetWaveId} is null)
        or (${t.targetKind} = 'wave' and ${t.targetWaveId} is not null and ${t.targetRole} is null and ${t.targetDepartmentId} is null)`,
    ),
    check('assignments_due_check', sql`not (${t.dueDate} is not null and ${t.dueDays} is not null)`),
    check('assignments_valid_for_months_check', sql`${t.validForMonths} is null or ${t.validForMonths} between 1 and 60`),
  ],
);

/** When each user joined each assignment (the start of "N days after joining"). */
export const assignmentEnrolments = pgTable(
  'assignment_enrolments',
  {
    assignmentId: integer('assignment_id')
      .notNull()
      .references(() => assignments.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    enrolledAt: timestampMs('enrolled_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.userId] }), index('assignment_enrolments_user_idx').on(t.userId)],
);

/** The monthly check-in: hours saved with AI this month (0–200, half hours) and on which tasks. */
export const checkins = pgTable(
  'checkins',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `YYYY-MM` in the app's time zone. */
    month: text('month').notNull(),
    /** Null when the learner dismissed the question without answering. */
    hoursSaved: doublePrecision('hours_saved'),
    tasks: text('tasks'),
    dismissed: boolean('dismissed').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: timestampMs('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.month] }),
    index('checkins_month_idx').on(t.month),
    check('checkins_hours_check', sql`${t.hoursSaved} is null or (${t.hoursSaved} between 0 and 200 and ${t.hoursSaved} * 2 = cast(${t.hoursSaved} * 2 as integer))`),
    check('checkins_tasks_check', sql`${t.tasks} is null or length(${t.tasks}) <= 500`),
  ],
);

/** AI-related help-desk inquiries per month, per department (null: not attributed to one). */
export const helpdeskInquiries = pgTable(
  'helpdesk_inquiries',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    month: text('month').notNull(),
    departmentId: integer('department_id').references(() => departments.id, { onDelete: 'cascade' }),
    count: integer('count').notNull(),
    updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestampMs('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('helpdesk_month_department_unique').on(t.month, t.departmentId).where(sql`${t.departmentId} is not null`),
    uniqueIndex('helpdesk_month_company_unique').on(t.month).where(sql`${t.departmentId} is null`),
    check('helpdesk_count_check', sql`${t.count} >= 0`),
  ],
);
