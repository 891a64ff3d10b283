// Saved publish templates, in localStorage: everything the publish form holds, by name.
import { create } from 'zustand';

export interface PublishTemplate {
  name: string;
  exchange: string;
  routingKey: string;
  body: string;
  /** older templates hold only 'text' or 'json' */
  format: 'auto' | 'text' | 'json';
  deliveryMode: 1 | 2;
  contentType: string;
  correlationId: string;
  replyTo: string;
  expiration: string;
  priority: string;
  messageId: string;
  headers: { key: string; value: string; type: 'string' | 'number' | 'boolean' }[];
}

const KEY = 'warren.publish.templates';

function load(): PublishTemplate[] {
  try {
    const raw = localStorage.getItem(KEY);
    const v: unknown = raw === null ? [] : JSON.parse(raw);
    return Array.isArray(v) ? (v.filter((t) => typeof t === 'object' && t !== null && typeof (t as PublishTemplate).name === 'string') as PublishTemplate[]) : [];
  } catch {
    return [];
  }
}

function save(list: PublishTemplate[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    /* not kept */
  }
}

interface TemplateState {
  loaded: boolean;
  templates: PublishTemplate[];
  load(): void;
  put(t: PublishTemplate): void;
  remove(name: string): void;
}

export const useTemplates = create<TemplateState>()((set, get) => ({
  loaded: false,
  templates: [],
  load() {
    if (!get().loaded) set({ loaded: true, templates: load() });
  },
  put(t) {
    const templates = [...get().templates.filter((x) => x.name !== t.name), t].sort((a, b) => a.name.localeCompare(b.name));
    save(templates);
    set({ templates });
  },
  remove(name) {
    const templates = get().templates.filter((x) => x.name !== name);
    save(templates);
    set({ templates });
  },
}));
