import type { Metadata } from 'next';
import { ScenarioPlayerPage } from '@/components/scenarios/scenario-player-page';

export const metadata: Metadata = { title: 'Scenario · Warren' };

// A shareable address: /scenarios/<id>?step=3&present=1 opens the scenario at step 3, presenting.
export default async function Scenario({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { id } = await params;
  const q = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const step = Number(one(q.step));
  return <ScenarioPlayerPage open={{ id: decodeURIComponent(id), step: Number.isInteger(step) && step >= 1 ? step : undefined, present: one(q.present) === '1' }} />;
}
