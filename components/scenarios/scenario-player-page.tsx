'use client';
// The scenario player: built-in and loaded scenarios, the controls and fault buttons, each step's
// narrative with its checkpoints as the broker reported them, the actors' own counts, and each
// actor's program with the URL filled in. /scenarios/<id>?step=3&present=1 opens a scenario at a
// step, in presenter mode. State comes from /api/scenarios; the broker does the playing.
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { ApiError } from '@/lib/client/api';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import { PageHead } from '../tables/data-table';
import { PresenterView } from './presenter-view';
import {
  exportVhostScenario, fetchScenarioFile, loadErrors, loadScenario, scenarioAction, useInvalidateScenarios, useScenario, useScenarioCode, useScenarios,
  type ScenarioAction, type ScenarioFileDto, type ScenarioStateDto,
} from './scenario-queries';
import css from './scenario-player.module.css';

const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];
const MARK = { waiting: '○', pending: '…', passed: '✓', failed: '✗' } as const;

export interface OpenAt {
  id?: string;
  /** 1-based, as in the URL */
  step?: number;
  present?: boolean;
}

export function ScenarioPlayerPage({ open = {} }: { open?: OpenAt }) {
  const admin = useSession((s) => s.session?.tags.includes('administrator') ?? false);
  const list = useScenarios();
  const [chosen, setChosen] = useState<string | undefined>(open.id);
  const id = chosen ?? list.data?.[0]?.id;
  // the chosen scenario's status as its own, faster-polled state says, so the list never lags behind it
  const chosenStatus = useScenario(id).data?.state?.status;
  const [presenter, setPresenter] = useState(open.present === true);
  const [startAt, setStartAt] = useState<number | undefined>(open.step === undefined ? undefined : open.step - 1);
  const [loadProblems, setLoadProblems] = useState<string[]>([]);
  const refreshList = useInvalidateScenarios();
  const fileInput = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');

  const load = async (parsed: unknown, from: string) => {
    setLoadProblems([]);
    try {
      const id = (parsed as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') throw new ApiError(400, 'bad_request', 'invalid scenario: $.id: must be a string');
      await loadScenario({ ...(parsed as object), id });
      await refreshList();
      setChosen(id);
      setStartAt(undefined);
      toast.ok('Scenario loaded', `${id}, from ${from}`);
    } catch (err) {
      setLoadProblems(err instanceof ApiError ? loadErrors(err.reason) : [err instanceof Error ? err.message : String(err)]);
    }
  };

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file === undefined) return;
    if (file.size > 1024 * 1024) {
      setLoadProblems([`${file.name} is larger than 1024 KiB: not read`]);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      setLoadProblems([`${file.name} is not JSON`]);
      return;
    }
    await load(parsed, file.name);
  };

  const onUrl = async () => {
    setLoadProblems([]);
    let parsed: unknown;
    try {
      parsed = await fetchScenarioFile(url.trim());
    } catch (err) {
      setLoadProblems([`${url.trim()}: ${err instanceof Error ? err.message : String(err)} (the browser fetches it: the site must allow this origin)`]);
      return;
    }
    await load(parsed, url.trim());
  };

  if (presenter && id !== undefined) return <PresenterView id={id} startAt={startAt} admin={admin} onExit={() => setPresenter(false)} />;

  return (
    <div className="page">
      <PageHead title="Scenarios">The RabbitMQ tutorials, played on this broker by real AMQP clients.</PageHead>
      <div className={css.layout}>
        <nav className={css.list} aria-label="Scenarios">
          {list.data?.map((s) => (
            <button
              key={s.id} type="button" className={s.id === id ? `${css.item} ${css.itemActive}` : css.item} aria-current={s.id === id}
              onClick={() => {
                setChosen(s.id);
                setStartAt(undefined);
              }}
            >
              <strong>{s.tutorial === undefined ? '' : `${s.tutorial}. `}{s.title}</strong>
              <div className="muted small">{s.id === id ? (chosenStatus ?? s.status) : s.status}</div>
            </button>
          ))}
          <button type="button" className="btn btn-sm" onClick={() => setPresenter(true)} disabled={id === undefined}>Presenter mode</button>
          {admin && <LoadAndExport fileInput={fileInput} onFile={onFile} url={url} setUrl={setUrl} onUrl={onUrl} problems={loadProblems} />}
        </nav>
        {id !== undefined && <ScenarioView id={id} admin={admin} startAt={startAt} />}
      </div>
    </div>
  );
}

function LoadAndExport(p: {
  fileInput: React.RefObject<HTMLInputElement | null>; onFile: (e: ChangeEvent<HTMLInputElement>) => Promise<void>;
  url: string; setUrl: (u: string) => void; onUrl: () => Promise<void>; problems: string[];
}) {
  const vhost = useSession((s) => s.vhost);
  const exportVhost = async () => {
    try {
      download(await exportVhostScenario(vhost));
    } catch (err) {
      toast.error(`Vhost ${vhost} was not exported`, err);
    }
  };
  return (
    <div className={css.loadBox}>
      <button type="button" className="btn btn-sm" onClick={() => p.fileInput.current?.click()}>Load scenario file…</button>
      <input ref={p.fileInput} type="file" accept="application/json,.json" hidden onChange={(e) => void p.onFile(e)} aria-label="Scenario file" />
      <form
        className={css.urlForm}
        onSubmit={(e) => {
          e.preventDefault();
          void p.onUrl();
        }}
      >
        <input type="url" placeholder="https://…/scenario.json" value={p.url} onChange={(e) => p.setUrl(e.target.value)} aria-label="Scenario URL" required />
        <button type="submit" className="btn btn-sm">Load</button>
      </form>
      {p.problems.length > 0 && (
        <ul className="form-error small" aria-label="Why the scenario was not loaded">{p.problems.map((e, i) => <li key={i}>{e}</li>)}</ul>
      )}
      <button type="button" className="btn btn-sm" onClick={() => void exportVhost()} title="The topology of the vhost the console shows, and the clients working on it, as a scenario file">
        Export vhost {vhost} as a scenario
      </button>
    </div>
  );
}

export function useAct(id: string) {
  const detail = useScenario(id);
  const refreshList = useInvalidateScenarios();
  const [busy, setBusy] = useState(false);
  const act = async (body: ScenarioAction) => {
    setBusy(true);
    try {
      await scenarioAction(id, body);
    } catch (err) {
      toast.error(`${body.action} failed`, err);
    } finally {
      setBusy(false);
      void detail.refetch();
      void refreshList();
    }
  };
  return { detail, busy, act };
}

export function Controls({ id, state, busy, act, startAt, compact = false }: {
  id: string; state: ScenarioStateDto | null; busy: boolean; act: (a: ScenarioAction) => Promise<void>; startAt?: number; compact?: boolean;
}) {
  const status = state?.status ?? 'idle';
  const fresh = state === null || status === 'idle';
  const share = () => {
    const step = state !== null && state.step >= 0 ? state.step + 1 : (startAt ?? 0) + 1;
    const link = `${window.location.origin}/scenarios/${encodeURIComponent(id)}?step=${step}&present=1`;
    void navigator.clipboard.writeText(link).then(() => toast.ok('Link copied', link), () => toast.ok('Share this link', link));
  };
  return (
    <div className={css.controls} role="toolbar" aria-label="Player controls">
      <button type="button" className="btn btn-primary btn-sm" disabled={busy || status === 'playing' || status === 'finished' || status === 'failed'} onClick={() => void act(fresh && startAt ? { action: 'play', fromStep: startAt } : { action: 'play' })}>
        {fresh && startAt ? `Play from step ${startAt + 1}` : 'Play'}
      </button>
      <button type="button" className="btn btn-sm" disabled={busy || status !== 'playing'} onClick={() => void act({ action: 'pause' })}>Pause</button>
      <button type="button" className="btn btn-sm" disabled={busy || status !== 'paused'} onClick={() => void act({ action: 'step' })}>Step</button>
      <button type="button" className="btn btn-sm" disabled={busy || status === 'idle'} onClick={() => void act({ action: 'reset' })}>Reset</button>
      <label className="small">
        Speed{' '}
        <select value={state?.speed ?? 1} disabled={busy} onChange={(e) => void act({ action: 'speed', speed: Number(e.target.value) })}>
          {SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}
        </select>
      </label>
      <span className="pill" data-testid="scenario-status">{status}</span>
      {!compact && state !== null && <span className="muted small">vhost {state.vhost}</span>}
      {!compact && <button type="button" className="btn btn-ghost btn-sm" onClick={share}>Share link</button>}
      {state !== null && state.faults.length > 0 && (
        <span className={css.faults} role="group" aria-label="Faults">
          {state.faults.map((f) => (
            <button key={f.name} type="button" className="btn btn-sm btn-danger" disabled={busy || (status !== 'playing' && status !== 'paused')} onClick={() => void act({ action: 'fault', fault: f.name })}>
              {f.label}{f.fired > 0 ? ` (${f.fired})` : ''}
            </button>
          ))}
        </span>
      )}
    </div>
  );
}

function ScenarioView({ id, admin, startAt }: { id: string; admin: boolean; startAt?: number }) {
  const { detail, busy, act } = useAct(id);
  const current = useRef<HTMLLIElement | null>(null);
  useEffect(() => current.current?.scrollIntoView({ block: 'nearest' }), [startAt]);
  if (detail.data === undefined) return <p className="muted">{detail.error instanceof Error ? detail.error.message : 'Loading…'}</p>;
  const { scenario, state } = detail.data;

  return (
    <section aria-label={scenario.title}>
      <h3>{scenario.title}</h3>
      <p>{scenario.summary}</p>
      {admin ? (
        <>
          <Controls id={id} state={state} busy={busy} act={act} startAt={startAt} />
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => download(scenario)}>Download scenario file</button>
        </>
      ) : (
        <p className="muted small">Only an administrator can play scenarios: a scenario makes its own vhost.</p>
      )}
      {state !== null && state.errors.length > 0 && (
        <ul className="form-error">{state.errors.map((e, i) => <li key={i}>{e}</li>)}</ul>
      )}
      {state !== null && state.notes.length > 0 && (
        <ul className={`${css.notes} small`} aria-label="What happened">{state.notes.map((e, i) => <li key={i}>{e}</li>)}</ul>
      )}
      <Steps scenario={scenario} state={state} highlight={state === null || state.status === 'idle' ? startAt : undefined} />
      {state !== null && <Actors state={state} />}
      {admin && <Code id={id} />}
    </section>
  );
}

export function stepsOf(scenario: ScenarioFileDto, state: ScenarioStateDto | null): ScenarioStateDto['steps'] {
  return state?.steps ?? scenario.steps.map((s) => ({ ...s, state: 'waiting' as const, checkpoints: s.checkpoints.map((c) => ({ label: c.label, state: 'waiting' as const, actual: undefined })) }));
}

export function Checkpoints({ step, index }: { step: ScenarioStateDto['steps'][number]; index: number }) {
  return (
    <ul className={css.checkpoints} aria-label={`Checkpoints of step ${index + 1}`}>
      {step.checkpoints.map((c, j) => (
        <li key={j} data-state={c.state} className={c.state === 'passed' ? css.passed : c.state === 'failed' ? css.failed : undefined}>
          {MARK[c.state]} {c.label}{c.actual === undefined ? '' : ` (measured: ${c.actual})`}
        </li>
      ))}
    </ul>
  );
}

function Steps({ scenario, state, highlight }: { scenario: ScenarioFileDto; state: ScenarioStateDto | null; highlight?: number }) {
  const steps = stepsOf(scenario, state);
  return (
    <ol className={css.steps} aria-label="Steps">
      {steps.map((s, i) => (
        <li key={i} className={s.state === 'current' || i === highlight ? `${css.step} ${css.stepCurrent}` : css.step} data-state={s.state}>
          <strong>{i + 1}. {s.title}</strong> <span className="muted small">{s.state}</span>
          <p>{s.text}</p>
          <Checkpoints step={s} index={i} />
        </li>
      ))}
    </ol>
  );
}

function Actors({ state }: { state: ScenarioStateDto }) {
  return (
    <table className="table-card" aria-label="Actors">
      <thead>
        <tr><th>Actor</th><th>Kind</th><th>State</th><th>Sent</th><th>Received</th><th>Settled</th><th>Returned</th></tr>
      </thead>
      <tbody>
        {state.actors.map((a) => {
          const sends = a.kind === 'producer' || a.kind === 'rpc-client';
          const receives = a.kind !== 'producer';
          return (
            <tr key={a.name} title={a.error}>
              <td className="mono">{a.name}</td><td>{a.kind}</td>
              <td>{a.phase}{a.refusedCode === undefined ? '' : ` (${a.refusedCode})`}{a.error === undefined ? '' : ` — ${a.error}`}{a.note === undefined ? '' : ` — ${a.note}`}</td>
              <td>{sends ? a.published : ''}</td><td>{receives ? a.received : ''}</td><td>{a.kind === 'consumer' || a.kind === 'rpc-server' ? a.settled : ''}</td>
              <td>{a.kind === 'producer' && a.returned > 0 ? a.returned : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Code({ id }: { id: string }) {
  const code = useScenarioCode(id, true);
  const [actor, setActor] = useState(0);
  const [client, setClient] = useState<'pika' | 'amqplib'>('pika');
  const program = code.data?.actors[actor] ?? code.data?.actors[0];
  if (program === undefined) return null;
  const text = program[client];
  return (
    <section aria-label="Code" style={{ marginTop: 16 }}>
      <h4>The same, as a program</h4>
      <div className={css.controls}>
        <select aria-label="Actor" value={actor} onChange={(e) => setActor(Number(e.target.value))}>
          {code.data?.actors.map((a, i) => <option key={a.actor} value={i}>{a.actor} ({a.kind})</option>)}
        </select>
        <div className="segmented segmented-sm">
          {(['pika', 'amqplib'] as const).map((c) => (
            <label key={c} className={c === client ? 'on' : undefined}>
              <input type="radio" name="scenario-client" checked={c === client} onChange={() => setClient(c)} />
              {c === 'pika' ? 'Python (pika)' : 'Node (amqplib)'}
            </label>
          ))}
        </div>
        <button type="button" className="btn btn-sm" onClick={() => void navigator.clipboard.writeText(text).then(() => toast.ok('Copied'), (err: unknown) => toast.error('Copy failed', err))}>Copy</button>
      </div>
      <pre className={css.code} data-testid="actor-code">{text}</pre>
    </section>
  );
}

function download(scenario: ScenarioFileDto): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(scenario, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${scenario.id}.json`;
  a.click();
  URL.revokeObjectURL(url);
}
