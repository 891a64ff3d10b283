import { GraphView } from '@/components/graph/graph-view';

export default function GraphPage() {
  return <GraphView />;
}
