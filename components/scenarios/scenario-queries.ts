// The scenario player's server data: TanStack Query over /api/scenarios. A scenario being played
// is polled every second, since its checkpoints move without any topology event to say so.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { request, seg } from '@/lib/client/api';
import { useSession } from '@/lib/client/session';

export type PlayerStatus = 'idle' | 'starting' | 'playing' | 'paused' | 'finished' | 'failed';

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
  actors: { kind: 'producer' | 'consumer'; name: string }[];
  [key: string]: unknown;
}

export interface ScenarioStateDto {
  status: PlayerStatus;
  speed: number;
  step: number;
  vhost: string;
  steps: { title: string; text: string; state: 'waiting' | 'current' | 'passed' | 'failed'; checkpoints: { label: string; state: 'waiting' | 'pending' | 'passed' | 'failed'; actual?: number }[] }[];
  actors: { name: string; kind: 'producer' | 'consumer'; phase: string; published: number; received: number; settled: number; queue?: string; error?: string; note?: string }[];
  errors: string[];
}

export interface ScenarioCodeDto {
  url: string;
  actors: { actor: string; kind: 'producer' | 'consumer'; pika: string; amqplib: string }[];
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

export type ScenarioAction = { action: 'play' | 'pause' | 'step' | 'reset' } | { action: 'speed'; speed: number };

export const scenarioAction = (id: string, body: ScenarioAction) =>
  request<ScenarioStateDto>(`/api/scenarios/${seg(id)}/actions`, { method: 'POST', body });

export const loadScenario = (file: { id: string }) => request<void>(`/api/scenarios/${seg(file.id)}`, { method: 'PUT', body: file });
