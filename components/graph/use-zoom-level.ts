'use client';
// Zoomed far out, labels and node details are unreadable and only cost paint: edges drop their
// labels and nodes their details. A boolean selector, so components re-render only when the
// threshold is crossed, not on every zoom step.
import { useStore, type ReactFlowState } from '@xyflow/react';

// Below this the nodes' 11-12px details render at 6px or less: names alone read better.
export const FAR_ZOOM = 0.55;

const farSelector = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;

export const useIsFar = (): boolean => useStore(farSelector);
