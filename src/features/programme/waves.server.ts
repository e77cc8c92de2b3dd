/** Rollout waves: their departments and KPI targets. */
import { asc, eq } from 'drizzle-orm';
import { departments, waveDepartments, waveTargets, waves, type Wave, type WaveTarget } from '../../../db/schema/index.ts';
import type { Target } from '../kpi/targets.ts';
import { syncEnrolments } from './assignments.server.ts';
import { requireExisting } from './references.server.ts';
import { audit, type AuditInput } from '../audit/audit.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { changes, first } from '../../platform/query.ts';

export interface WaveDetail extends Wave {
  departmentIds: number[];
  targets: WaveTarget[];
}

export async function listWaves(db: Db): Promise<WaveDetail[]> {
  const { all, departments, targets } = await db.read(async (q) => ({
    all: await q.select().from(waves).orderBy(asc(waves.position), asc(waves.startDate), asc(waves.id)),
    departments: await q.select().from(waveDepartments),
    targets: await q.select().from(waveTargets),
  }));
  return all.map((wave) => ({
    ...wave,
    departmentIds: departments.filter((d) => d.waveId === wave.id).map((d) => d.departmentId),
    targets: targets.filter((t) => t.waveId === wave.id),
  }));
}

export interface WaveInput {
  name: string;
  position: number;
  startDate: string;
  endDate: string;
  description: string | null;
  departmentIds: number[];
  targets: Target[];
}

export interface SaveWaveOptions {
  /** The wave to replace; null: a new one. */
  id?: number | null;
  /** Who saves it, for the audit row written in the same write (none: no audit row). */
  by?: Pick<AuditInput, 'actor' | 'ip'> | null;
  now?: Date;
}

/**
 * Creates or replaces a wave with its departments and targets; enrolments follow. A wave that is
 * gone is refused (`No such wave.`, 404), as is an unknown department (`unknown_department`).
 */
export async function saveWave(db: Db, input: WaveInput, { id = null, by = null, now = clockNow() }: SaveWaveOptions = {}): Promise<number> {
  // A department listed twice is one department (the form's checkboxes cannot repeat one; a forged form can).
  const departmentIds = [...new Set(input.departmentIds)];
  return db.write(async (tx) => {
    if (id !== null) await requireExisting(tx, waves, [id], 'No such wave.', 'NOT_FOUND');
    await requireExisting(tx, departments, departmentIds, 'unknown_department');
    const values = {
      name: input.name,
      position: input.position,
      startDate: input.startDate,
      endDate: input.endDate,
      description: input.description,
    };
    const waveId = id === null ? first(await tx.insert(waves).values(values).returning({ id: waves.id }))!.id : (await tx.update(waves).set(values).where(eq(waves.id, id)), id);
    await tx.delete(waveDepartments).where(eq(waveDepartments.waveId, waveId));
    if (departmentIds.length > 0) {
      await tx.insert(waveDepartments).values(departmentIds.map((departmentId) => ({ waveId, departmentId })));
    }
    await tx.delete(waveTargets).where(eq(waveTargets.waveId, waveId));
    if (input.targets.length > 0) await tx.insert(waveTargets).values(input.targets.map((t) => ({ waveId, ...t })));
    await syncEnrolments(tx, now);
    if (by) {
      await audit(
        tx,
        {
          ...by,
          action: id ? 'wave.updated' : 'wave.created',
          target: { type: 'wave', id: waveId },
          details: { name: input.name, departments: input.departmentIds.length, targets: input.targets },
        },
        now,
      );
    }
    return waveId;
  });
}

/** Deletes a wave (enrolments follow), with its audit row; false when there is none. */
export async function deleteWave(db: Db, id: number, by: Pick<AuditInput, 'actor' | 'ip'> | null = null, now = clockNow()): Promise<boolean> {
  return db.write(async (tx) => {
    const deleted = changes(await tx.delete(waves).where(eq(waves.id, id))) === 1;
    if (!deleted) return false;
    await syncEnrolments(tx, now);
    if (by) await audit(tx, { ...by, action: 'wave.deleted', target: { type: 'wave', id } }, now);
    return true;
  });
}
