import type { Metadata } from 'next';
import { ScenarioPlayerPage } from '@/components/scenarios/scenario-player-page';

export const metadata: Metadata = { title: 'Scenarios · Warren' };

export default function Scenarios() {
  return <ScenarioPlayerPage />;
}
