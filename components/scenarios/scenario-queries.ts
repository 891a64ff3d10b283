// The scenario player's server data: TanStack Query over /api/scenarios. A scenario being played
// is polled every second, since its checkpoints move without any topology event to say so.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { request, seg } from '@/lib/client/api';
import { useSession } from '@/lib/client/session';

export type PlayerStatus = 'idle' | 'starting' | 'playing' | 'paused' | 'finished' | 'failed';
export type ActorKind = 'producer' | 'consumer' | 'rpc-server' | 'rpc-client';

export interface ScenarioSummaryDto {
  id: string;
  title: string;
  summary: string;
  tutorial?: number;
  builtin: boolean;
  steps: number;
  status: PlayerStatus;
}

export interface ScenarioFileDto {
  id: string;
  title: string;
  summary: string;
  steps: { title: string; text: string; checkpoints: { label: string }[] }[];
  actors: { kind: ActorKind; name: string }[];
  [key: string]: unknown;
}

export interface ScenarioStateDto {
  status: PlayerStatus;
  speed: number;
  step: number;
  vhost: string;
  steps: { title: string; text: string; state: 'waiting' | 'current' | 'passed' | 'failed' | 'skipped'; checkpoints: { label: string; state: 'waiting' | 'pending' | 'passed' | 'failed'; actual?: number }[] }[];
  actors: {
    name: string; kind: ActorKind; phase: string; published: number; received: number; settled: number; returned: number;
    refusedCode?: number; queue?: string; error?: string; note?: string;
  }[];
  faults: { name: string; label: string; kind: 'kill' | 'publish' | 'restart-broker'; fired: number }[];
  notes: string[];
  errors: string[];
}

export interface ScenarioCodeDto {
  url: string;
  actors: { actor: string; kind: ActorKind; url: string; pika: string; amqplib: string }[];
}

export const scenarioKeys = {
  all: ['warren', 'scenarios'] as const,
  one: (id: string) => ['warren', 'scenarios', id] as const,
  code: (id: string) => ['warren', 'scenarios', id, 'code'] as const,
};

export function useScenarios() {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: scenarioKeys.all,
    queryFn: ({ signal }) => request<ScenarioSummaryDto[]>('/api/scenarios', { signal }),
    enabled: loggedIn,
    refetchInterval: 3000,
  });
}

export function useScenario(id: string | undefined) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: scenarioKeys.one(id ?? ''),
    queryFn: ({ signal }) => request<{ scenario: ScenarioFileDto; state: ScenarioStateDto | null }>(`/api/scenarios/${seg(id ?? '')}`, { signal }),
    enabled: loggedIn && id !== undefined,
    refetchInterval: (q) => (q.state.data?.state?.status === 'playing' || q.state.data?.state?.status === 'starting' ? 1000 : 5000),
  });
}

export function useScenarioCode(id: string | undefined, admin: boolean) {
  return useQuery({
    queryKey: scenarioKeys.code(id ?? ''),
    queryFn: ({ signal }) => request<ScenarioCodeDto>(`/api/scenarios/${seg(id ?? '')}/code`, { signal }),
    enabled: admin && id !== undefined,
    staleTime: Infinity,
  });
}

export function useInvalidateScenarios() {
  const qc = useQueryClient();
  return useCallback(() => qc.invalidateQueries({ queryKey: scenarioKeys.all }), [qc]);
}

export type ScenarioAction =
  | { action: 'pause' | 'step' | 'reset' }
  | { action: 'play'; fromStep?: number }
  | { action: 'speed'; speed: number }
  | { action: 'fault'; fault: string };

export const scenarioAction = (id: string, body: ScenarioAction) =>
  request<ScenarioStateDto>(`/api/scenarios/${seg(id)}/actions`, { method: 'POST', body });

export const loadScenario = (file: { id: string }) => request<void>(`/api/scenarios/${seg(file.id)}`, { method: 'PUT', body: file });

export const exportVhostScenario = (vhost: string) => request<ScenarioFileDto>(`/api/scenario-export/${seg(vhost)}`);

/** The server's own limit on a scenario file (lib/management/scenarios.ts): checked here before sending. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/**
 * A scenario file from another site, fetched by the browser (the server fetches nothing a user
 * names), read up to the size limit and parsed; errors say what went wrong in words.
 */
export async function fetchScenarioFile(url: string, signal?: AbortSignal): Promise<unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('only http and https URLs');
  const res = await fetch(parsed, { signal, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) throw new Error(`${parsed.host} answered HTTP ${res.status}`);
  const reader = res.body?.getReader();
  if (reader === undefined) throw new Error('the answer has no body');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_SCENARIO_BYTES) {
      await reader.cancel();
      throw new Error(`larger than ${MAX_SCENARIO_BYTES / 1024} KiB: not read`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  const text = new TextDecoder().decode(all);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('not JSON');
  }
}

/** The validator's errors from a refused load (`invalid scenario: a; b`), one per line. */
export function loadErrors(reason: string): string[] {
  const prefix = 'invalid scenario: ';
  return reason.startsWith(prefix) ? reason.slice(prefix.length).split('; ') : [reason];
}
