/** The rollout-wave pages: each wave's KPIs over the dashboard's default months and its target status. */
import type { Department, WaveTarget } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import type { Db } from '../../platform/db.server.ts';
import type { KpiSet } from './kpi.ts';
import { defaultFilter, loadScopeKpis } from './dashboard.server.ts';
import { targetStatuses, type TargetStatus } from './targets.ts';
import { listWaves, type WaveDetail } from '../programme/waves.server.ts';
import { listDepartments } from '../users/users-admin.server.ts';

export interface WaveKpis {
  wave: WaveDetail;
  kpis: KpiSet;
  targets: TargetStatus<WaveTarget>[];
}

export interface WavesPage {
  waves: WaveKpis[];
  /** By name, for the wave form. */
  departments: Department[];
}

function withKpis(wave: WaveDetail, kpisFor: (ids: number[]) => KpiSet): WaveKpis {
  const kpis = kpisFor(wave.departmentIds);
  return { wave, kpis, targets: targetStatuses(kpis, wave.targets) };
}

/** Every wave with its KPIs and targets, and the departments for the new-wave form. */
export async function loadWavesPage(db: Db, catalog: Catalog, timeZone: string): Promise<WavesPage> {
  const waves = await listWaves(db);
  const { kpisFor } = await loadScopeKpis(db, catalog, defaultFilter(timeZone), timeZone);
  return { waves: waves.map((w) => withKpis(w, kpisFor)), departments: await listDepartments(db) };
}

export interface WavePage {
  entry: WaveKpis;
  /** By name, for the wave form. */
  departments: Department[];
  /** The moment the certification counts are taken at (the end of the period, or now). */
  certificationAsOf: Date;
}

/** One wave with its KPIs, certification and targets (null: no such wave), and the departments for its form. */
export async function loadWavePage(db: Db, catalog: Catalog, id: number, timeZone: string): Promise<WavePage | null> {
  const wave = (await listWaves(db)).find((w) => w.id === id);
  if (!wave) return null;
  const { kpisFor, certificationAsOf } = await loadScopeKpis(db, catalog, defaultFilter(timeZone), timeZone);
  return { entry: withKpis(wave, kpisFor), departments: await listDepartments(db), certificationAsOf };
}
