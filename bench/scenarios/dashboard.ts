/** The admin dashboard (the whole company's KPIs) and the champion view (one department), sequential GETs. */
import { sequential, type Stat } from '../measure.ts';
import type { Population } from '../setup.ts';

type Timing = Stat & { status: number };

export async function measureDashboard(base: string, population: Population, requests: number): Promise<{ admin: Timing; champion: Timing }> {
  return {
    admin: await sequential(base, '/admin', population.adminCookie, requests),
    champion: await sequential(base, '/champion', population.championCookie, requests),
  };
}
