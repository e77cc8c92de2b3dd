/** Rollout waves: their departments and KPI targets. */
import { asc, eq } from 'drizzle-orm';
import { waveDepartments, waveTargets, waves, type TargetKpi, type Wave, type WaveTarget } from '../../../db/schema.ts';
import { syncEnrolments } from './assignments.ts';
import type { DbExecutor } from './db.ts';

export interface WaveDetail extends Wave {
  departmentIds: number[];
  targets: WaveTarget[];
}

export function listWaves(db: DbExecutor): WaveDetail[] {
  const all = db.select().from(waves).orderBy(asc(waves.position), asc(waves.startDate), asc(waves.id)).all();
  const departments = db.select().from(waveDepartments).all();
  const targets = db.select().from(waveTargets).all();
  return all.map((wave) => ({
    ...wave,
    departmentIds: departments.filter((d) => d.waveId === wave.id).map((d) => d.departmentId),
    targets: targets.filter((t) => t.waveId === wave.id),
  }));
}

export function getWave(db: DbExecutor, id: number): WaveDetail | null {
  return listWaves(db).find((w) => w.id === id) ?? null;
}

export interface WaveInput {
  name: string;
  position: number;
  startDate: string;
  endDate: string;
  description: string | null;
  departmentIds: number[];
  targets: { kpi: TargetKpi; comparator: 'gte' | 'lte'; value: number }[];
}

/** Creates or replaces a wave with its departments and targets; enrolments follow. */
export function saveWave(db: DbExecutor, input: WaveInput, id: number | null = null, now = new Date()): number {
  const values = {
    name: input.name,
    position: input.position,
    startDate: input.startDate,
    endDate: input.endDate,
    description: input.description,
  };
  const waveId =
    id === null
      ? db.insert(waves).values(values).returning({ id: waves.id }).get().id
      : (db.update(waves).set(values).where(eq(waves.id, id)).run(), id);
  db.delete(waveDepartments).where(eq(waveDepartments.waveId, waveId)).run();
  if (input.departmentIds.length > 0) {
    db.insert(waveDepartments).values(input.departmentIds.map((departmentId) => ({ waveId, departmentId }))).run();
  }
  db.delete(waveTargets).where(eq(waveTargets.waveId, waveId)).run();
  if (input.targets.length > 0) db.insert(waveTargets).values(input.targets.map((t) => ({ waveId, ...t }))).run();
  syncEnrolments(db, now);
  return waveId;
}

export function deleteWave(db: DbExecutor, id: number, now = new Date()): boolean {
  const deleted = db.delete(waves).where(eq(waves.id, id)).run().changes === 1;
  if (deleted) syncEnrolments(db, now);
  return deleted;
}
