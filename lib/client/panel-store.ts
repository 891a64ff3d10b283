// Which side panel the graph shows: the selection's inspector, the publish form, a consumer or a
// followed message's journey.
import { create } from 'zustand';

export type PanelKind = 'inspector' | 'publish' | 'consume' | 'journey';

interface PanelState {
  panel: PanelKind;
  /** exchange the publish form starts with */
  publishExchange: string | null;
  /** queue the consume panel works on */
  consumeQueue: string | null;
  /** create dialogs opened from the toolbar */
  creating: 'exchange' | 'queue' | null;
  open(panel: PanelKind, target?: string | null): void;
  create(kind: 'exchange' | 'queue' | null): void;
}

export const usePanel = create<PanelState>()((set) => ({
  panel: 'inspector',
  publishExchange: null,
  consumeQueue: null,
  creating: null,
  open(panel, target = null) {
    if (panel === 'publish') set({ panel, publishExchange: target });
    else if (panel === 'consume') set({ panel, consumeQueue: target });
    else set({ panel });
  },
  create(creating) {
    set({ creating });
  },
}));
