/**
 * The one Drizzle schema for Manabi: one file per feature (db/schema/<feature>.ts, all in
 * ./sqlite.ts). Migrations in `db/migrations/` are generated from it with `npm run db:generate`
 * and applied on start; never edit them by hand.
 *
 * Conventions: timestamps are integer Unix milliseconds (UTC); content ids (lesson, quiz,
 * question, option) are the stable ids from `content/`, shared by both languages, so
 * progress never depends on the reading language. Later features add tables; they do not
 * change these.
 *
 * Feature code imports its tables from here, and gets the tables of the database the process
 * uses (issue 18): SQLite's by default, PostgreSQL's mirror (db/schema-pg/) once
 * src/platform/postgres.server.ts opened it. Each table is a live binding typed as the SQLite
 * table, so feature code stays single-sourced and type-checked against one schema, and
 * tests/unit/schema-drift.test.ts keeps the two schemas' columns and types equal. One process
 * uses one dialect: selecting the other afterwards throws. Generated list: when a table is added,
 * add its binding here (tests/unit/schema-bindings.test.ts fails otherwise).
 */
import * as sqlite from './sqlite.ts';

export type * from './users.ts';
export type * from './auth.ts';
export type * from './progress.ts';
export type * from './feedback.ts';
export type * from './practice.ts';
export type * from './quiz.ts';
export type * from './programme.ts';
export type * from './kpi.ts';
export type * from './exports.ts';
export type * from './platform.ts';
export type * from './policies.ts';
export type * from './notifications.ts';
export type * from './scim.ts';

export { ASSIGNMENT_TARGETS, TARGET_KPIS } from './programme.ts';
export { XAPI_JOB_STATES } from './exports.ts';
export { ROLES } from './users.ts';
export { OUTBOX_CHANNELS, OUTBOX_STATES, NOTIFICATION_TOKEN_PURPOSES } from './notifications.ts';
export type { Locale } from '../../src/platform/i18n/locales.ts';

export let departments: typeof sqlite.departments = sqlite.departments;
export let users: typeof sqlite.users = sqlite.users;
export let sessions: typeof sqlite.sessions = sqlite.sessions;
export let loginTokens: typeof sqlite.loginTokens = sqlite.loginTokens;
export let signInLimits: typeof sqlite.signInLimits = sqlite.signInLimits;
export let signInKnownAddresses: typeof sqlite.signInKnownAddresses = sqlite.signInKnownAddresses;
export let lessonCompletions: typeof sqlite.lessonCompletions = sqlite.lessonCompletions;
export let lessonViews: typeof sqlite.lessonViews = sqlite.lessonViews;
export let certificates: typeof sqlite.certificates = sqlite.certificates;
export let activityMonths: typeof sqlite.activityMonths = sqlite.activityMonths;
export let lessonFeedback: typeof sqlite.lessonFeedback = sqlite.lessonFeedback;
export let anonymousFeedback: typeof sqlite.anonymousFeedback = sqlite.anonymousFeedback;
export let anonymousFeedbackSenders: typeof sqlite.anonymousFeedbackSenders = sqlite.anonymousFeedbackSenders;
export let practiceAnswers: typeof sqlite.practiceAnswers = sqlite.practiceAnswers;
export let quizAttempts: typeof sqlite.quizAttempts = sqlite.quizAttempts;
export let attemptAnswers: typeof sqlite.attemptAnswers = sqlite.attemptAnswers;
export let waves: typeof sqlite.waves = sqlite.waves;
export let waveDepartments: typeof sqlite.waveDepartments = sqlite.waveDepartments;
export let waveTargets: typeof sqlite.waveTargets = sqlite.waveTargets;
export let assignments: typeof sqlite.assignments = sqlite.assignments;
export let assignmentEnrolments: typeof sqlite.assignmentEnrolments = sqlite.assignmentEnrolments;
export let checkins: typeof sqlite.checkins = sqlite.checkins;
export let helpdeskInquiries: typeof sqlite.helpdeskInquiries = sqlite.helpdeskInquiries;
export let kpiDepartmentMonths: typeof sqlite.kpiDepartmentMonths = sqlite.kpiDepartmentMonths;
export let kpiQuestionMonths: typeof sqlite.kpiQuestionMonths = sqlite.kpiQuestionMonths;
export let kpiWrongOptions: typeof sqlite.kpiWrongOptions = sqlite.kpiWrongOptions;
export let quizPairs: typeof sqlite.quizPairs = sqlite.quizPairs;
export let kpiDepartmentPeople: typeof sqlite.kpiDepartmentPeople = sqlite.kpiDepartmentPeople;
export let kpiDepartmentPairs: typeof sqlite.kpiDepartmentPairs = sqlite.kpiDepartmentPairs;
export let kpiPeople: typeof sqlite.kpiPeople = sqlite.kpiPeople;
export let kpiCertificateEvents: typeof sqlite.kpiCertificateEvents = sqlite.kpiCertificateEvents;
export let kpiCertificateMonths: typeof sqlite.kpiCertificateMonths = sqlite.kpiCertificateMonths;
export let xapiDeliveries: typeof sqlite.xapiDeliveries = sqlite.xapiDeliveries;
export let xapiPushJobs: typeof sqlite.xapiPushJobs = sqlite.xapiPushJobs;
export let settings: typeof sqlite.settings = sqlite.settings;
export let auditLog: typeof sqlite.auditLog = sqlite.auditLog;
export let formResults: typeof sqlite.formResults = sqlite.formResults;
export let policyAcknowledgements: typeof sqlite.policyAcknowledgements = sqlite.policyAcknowledgements;
export let notificationOutbox: typeof sqlite.notificationOutbox = sqlite.notificationOutbox;
export let notificationEvents: typeof sqlite.notificationEvents = sqlite.notificationEvents;
export let notificationOptOuts: typeof sqlite.notificationOptOuts = sqlite.notificationOptOuts;
export let notificationTokens: typeof sqlite.notificationTokens = sqlite.notificationTokens;
export let departmentChannels: typeof sqlite.departmentChannels = sqlite.departmentChannels;
export let scimTokens: typeof sqlite.scimTokens = sqlite.scimTokens;
export let scimGroups: typeof sqlite.scimGroups = sqlite.scimGroups;
export let scimGroupMembers: typeof sqlite.scimGroupMembers = sqlite.scimGroupMembers;

export type TableDialect = 'sqlite' | 'postgres';
let selected: TableDialect | null = null;

/** The dialect whose tables the bindings above hold (null: none opened yet, SQLite's). */
export function selectedTables(): TableDialect | null {
  return selected;
}

/**
 * Points every binding at `tables` (db/schema-pg/index.ts for PostgreSQL, ./sqlite.ts for SQLite).
 * Called by the database open; a process that opened one dialect cannot switch to the other.
 */
export function selectTables(dialect: TableDialect, tables: Record<string, unknown>): void {
  if (selected === dialect) return;
  if (selected !== null) throw new Error(`this process already uses the ${selected} tables; one process opens one database dialect`);
  const pick = <T>(name: string): T => {
    const table = tables[name];
    if (table === undefined) throw new Error(`no table ${name} in the ${dialect} schema`);
    return table as T;
  };
  departments = pick('departments');
  users = pick('users');
  sessions = pick('sessions');
  loginTokens = pick('loginTokens');
  signInLimits = pick('signInLimits');
  signInKnownAddresses = pick('signInKnownAddresses');
  lessonCompletions = pick('lessonCompletions');
  lessonViews = pick('lessonViews');
  certificates = pick('certificates');
  activityMonths = pick('activityMonths');
  lessonFeedback = pick('lessonFeedback');
  anonymousFeedback = pick('anonymousFeedback');
  anonymousFeedbackSenders = pick('anonymousFeedbackSenders');
  practiceAnswers = pick('practiceAnswers');
  quizAttempts = pick('quizAttempts');
  attemptAnswers = pick('attemptAnswers');
  waves = pick('waves');
  waveDepartments = pick('waveDepartments');
  waveTargets = pick('waveTargets');
  assignments = pick('assignments');
  assignmentEnrolments = pick('assignmentEnrolments');
  checkins = pick('checkins');
  helpdeskInquiries = pick('helpdeskInquiries');
  kpiDepartmentMonths = pick('kpiDepartmentMonths');
  kpiQuestionMonths = pick('kpiQuestionMonths');
  kpiWrongOptions = pick('kpiWrongOptions');
  quizPairs = pick('quizPairs');
  kpiDepartmentPeople = pick('kpiDepartmentPeople');
  kpiDepartmentPairs = pick('kpiDepartmentPairs');
  kpiPeople = pick('kpiPeople');
  kpiCertificateEvents = pick('kpiCertificateEvents');
  kpiCertificateMonths = pick('kpiCertificateMonths');
  xapiDeliveries = pick('xapiDeliveries');
  xapiPushJobs = pick('xapiPushJobs');
  settings = pick('settings');
  auditLog = pick('auditLog');
  formResults = pick('formResults');
  policyAcknowledgements = pick('policyAcknowledgements');
  notificationOutbox = pick('notificationOutbox');
  notificationEvents = pick('notificationEvents');
  notificationOptOuts = pick('notificationOptOuts');
  notificationTokens = pick('notificationTokens');
  departmentChannels = pick('departmentChannels');
  scimTokens = pick('scimTokens');
  scimGroups = pick('scimGroups');
  scimGroupMembers = pick('scimGroupMembers');
  selected = dialect;
}
