'use client';
// The graph's right-hand panel: Inspect, Publish and Consume as tabs.
import { useId, type KeyboardEvent } from 'react';
import { useGraph } from '@/lib/client/graph/store';
import { usePanel, type PanelKind } from '@/lib/client/panel-store';
import { ConsumePanel } from './consume-panel';
import { Inspector } from './inspector';
import { JourneyPanel } from './journey-panel';
import { PublishPanel } from './publish-panel';

const TABS: { kind: PanelKind; label: string }[] = [
  { kind: 'inspector', label: 'Inspect' },
  { kind: 'publish', label: 'Publish' },
  { kind: 'consume', label: 'Consume' },
  { kind: 'journey', label: 'Journey' },
];

/** Publish starts from the selected exchange, Consume from the selected queue. */
function openFor(kind: PanelKind): void {
  const sel = useGraph.getState().selectedNodeId;
  const { open, publishExchange, consumeQueue } = usePanel.getState();
  if (kind === 'publish') open(kind, sel?.startsWith('e|') ? sel.slice(2) : publishExchange);
  else if (kind === 'consume') open(kind, sel?.startsWith('q|') ? sel.slice(2) : consumeQueue);
  else open(kind);
}

export function SidePanel() {
  const panel = usePanel((s) => s.panel);
  const id = useId();
  const onKeyDown = (e: KeyboardEvent) => {
    const at = TABS.findIndex((t) => t.kind === panel);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = TABS[(at + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
      openFor(next.kind);
      document.getElementById(`${id}-tab-${next.kind}`)?.focus();
    }
  };
  return (
    <aside className="side-panel" aria-label="Details">
      <div className="tabs" role="tablist" aria-label="Panel" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.kind}
            id={`${id}-tab-${t.kind}`}
            type="button"
            role="tab"
            aria-selected={panel === t.kind}
            aria-controls={`${id}-panel`}
            tabIndex={panel === t.kind ? 0 : -1}
            className={panel === t.kind ? 'tab active' : 'tab'}
            onClick={() => openFor(t.kind)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="side-body" role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${panel}`}>
        {panel === 'inspector' && <Inspector />}
        {panel === 'publish' && <PublishPanel />}
        {panel === 'consume' && <ConsumePanel />}
        {panel === 'journey' && <JourneyPanel />}
      </div>
    </aside>
  );
}
