// Short notices after an action: "Binding created", "Queue purged", errors from the API.
import { create } from 'zustand';

export interface Toast {
  id: number;
  tone: 'ok' | 'error' | 'info';
  title: string;
  detail?: string;
}

interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
}

let next = 1;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(t) {
    const id = next++;
    set((s) => ({ toasts: [...s.toasts.slice(-4), { ...t, id }] }));
    setTimeout(() => get().dismiss(id), t.tone === 'error' ? 8000 : 3500);
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

export const toast = {
  ok: (title: string, detail?: string) => useToasts.getState().push({ tone: 'ok', title, detail }),
  info: (title: string, detail?: string) => useToasts.getState().push({ tone: 'info', title, detail }),
  error: (title: string, err?: unknown) =>
    useToasts.getState().push({ tone: 'error', title, detail: err instanceof Error ? err.message : err === undefined ? undefined : String(err) }),
};
