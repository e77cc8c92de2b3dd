/** What the programme's admin pages show, each loaded by one call. */
import { ROLES, type Assignment, type Department, type Role } from '../../../db/schema/index.ts';
import type { Db } from '../../platform/db.server.ts';
import { listDepartments } from '../users/users-admin.server.ts';
import { enrolmentCounts, listAssignments } from './assignments.server.ts';
import { listInquiries, type Inquiries } from './helpdesk.server.ts';
import { listWaves, type WaveDetail } from './waves.server.ts';

export interface AssignmentsPage {
  departments: Department[];
  waves: WaveDetail[];
  assignments: Assignment[];
  /** Enrolled users per assignment id. */
  counts: Map<number, number>;
  /** The roles an assignment can target. */
  roles: readonly Role[];
}

export async function loadAssignmentsPage(db: Db): Promise<AssignmentsPage> {
  return { departments: await listDepartments(db), waves: await listWaves(db), assignments: await listAssignments(db), counts: await enrolmentCounts(db), roles: ROLES };
}

/** The help-desk page: the departments to choose from and the latest months entered. */
export async function loadHelpdeskPage(db: Db): Promise<{ departments: Department[]; rows: Inquiries[] }> {
  return { departments: await listDepartments(db), rows: await listInquiries(db) };
}
