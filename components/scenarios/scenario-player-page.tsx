'use client';
// The scenario player: built-in and loaded scenarios, the controls, each step's narrative with its
// checkpoints as the broker reported them, the actors' own counts, and each actor's program with
// the URL filled in. State comes from /api/scenarios; the broker does the playing.
import { useRef, useState, type ChangeEvent } from 'react';
import { ApiError } from '@/lib/client/api';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import { PageHead } from '../tables/data-table';
import {
  loadScenario, scenarioAction, useInvalidateScenarios, useScenario, useScenarioCode, useScenarios,
  type ScenarioAction, type ScenarioFileDto, type ScenarioStateDto,
} from './scenario-queries';
import css from './scenario-player.module.css';

const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];
const MARK = { waiting: '○', pending: '…', passed: '✓', failed: '✗' } as const;

export function ScenarioPlayerPage() {
  const admin = useSession((s) => s.session?.tags.includes('administrator') ?? false);
  const list = useScenarios();
  const [chosen, setChosen] = useState<string | undefined>();
  const id = chosen ?? list.data?.[0]?.id;
  // the chosen scenario's status as its own, faster-polled state says, so the list never lags behind it
  const chosenStatus = useScenario(id).data?.state?.status;
  const [presenter, setPresenter] = useState(false);
  const refreshList = useInvalidateScenarios();
  const fileInput = useRef<HTMLInputElement>(null);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file === undefined) return;
    try {
      const parsed = JSON.parse(await file.text()) as { id: string };
      await loadScenario(parsed);
      await refreshList();
      setChosen(parsed.id);
      toast.ok('Scenario loaded', parsed.id);
    } catch (err) {
      toast.error('The scenario was not loaded', err instanceof ApiError ? `${err.reason}` : err);
    }
  };

  return (
    <div className={presenter ? `page ${css.presenter}` : 'page'}>
      <PageHead title="Scenarios">The RabbitMQ tutorials, played on this broker by real AMQP clients.</PageHead>
      <div className={css.layout}>
        <nav className={css.list} aria-label="Scenarios">
          {list.data?.map((s) => (
            <button key={s.id} type="button" className={s.id === id ? `${css.item} ${css.itemActive}` : css.item} aria-current={s.id === id} onClick={() => setChosen(s.id)}>
              <strong>{s.tutorial === undefined ? '' : `${s.tutorial}. `}{s.title}</strong>
              <div className="muted small">{s.id === id ? (chosenStatus ?? s.status) : s.status}</div>
            </button>
          ))}
          {admin && (
            <>
              <button type="button" className="btn btn-sm" onClick={() => fileInput.current?.click()}>Load scenario file…</button>
              <input ref={fileInput} type="file" accept="application/json,.json" hidden onChange={(e) => void onFile(e)} aria-label="Scenario file" />
            </>
          )}
          <label className="check-inline small">
            <input type="checkbox" checked={presenter} onChange={(e) => setPresenter(e.target.checked)} /> Presenter mode
          </label>
        </nav>
        {id !== undefined && <ScenarioView id={id} admin={admin} presenter={presenter} />}
      </div>
    </div>
  );
}

function ScenarioView({ id, admin, presenter }: { id: string; admin: boolean; presenter: boolean }) {
  const detail = useScenario(id);
  const refreshList = useInvalidateScenarios();
  const [busy, setBusy] = useState(false);
  if (detail.data === undefined) return <p className="muted">{detail.error instanceof Error ? detail.error.message : 'Loading…'}</p>;
  const { scenario, state } = detail.data;

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
  const status = state?.status ?? 'idle';

  return (
    <section aria-label={scenario.title}>
      <h3>{scenario.title}</h3>
      <p>{scenario.summary}</p>
      {admin ? (
        <div className={css.controls} role="toolbar" aria-label="Player controls">
          <button type="button" className="btn btn-primary btn-sm" disabled={busy || status === 'playing' || status === 'finished' || status === 'failed'} onClick={() => void act({ action: 'play' })}>Play</button>
          <button type="button" className="btn btn-sm" disabled={busy || status !== 'playing'} onClick={() => void act({ action: 'pause' })}>Pause</button>
          <button type="button" className="btn btn-sm" disabled={busy || status !== 'paused'} onClick={() => void act({ action: 'step' })}>Step</button>
          <button type="button" className="btn btn-sm" disabled={busy || status === 'idle'} onClick={() => void act({ action: 'reset' })}>Reset</button>
          <label className="small">
            Speed{' '}
            <select value={state?.speed ?? 1} disabled={busy || state === null} onChange={(e) => void act({ action: 'speed', speed: Number(e.target.value) })}>
              {SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}
            </select>
          </label>
          <span className="pill" data-testid="scenario-status">{status}</span>
          {state !== null && <span className="muted small">vhost {state.vhost}</span>}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => exportFile(scenario)}>Export</button>
        </div>
      ) : (
        <p className="muted small">Only an administrator can play scenarios: a scenario makes its own vhost.</p>
      )}
      {state !== null && state.errors.length > 0 && (
        <ul className="form-error">{state.errors.map((e, i) => <li key={i}>{e}</li>)}</ul>
      )}
      <Steps scenario={scenario} state={state} />
      {!presenter && state !== null && <Actors state={state} />}
      {!presenter && admin && <Code id={id} />}
    </section>
  );
}

function Steps({ scenario, state }: { scenario: ScenarioFileDto; state: ScenarioStateDto | null }) {
  const steps = state?.steps ?? scenario.steps.map((s) => ({ ...s, state: 'waiting' as const, checkpoints: s.checkpoints.map((c) => ({ label: c.label, state: 'waiting' as const, actual: undefined })) }));
  return (
    <ol className={css.steps} aria-label="Steps">
      {steps.map((s, i) => (
        <li key={i} className={s.state === 'current' ? `${css.step} ${css.stepCurrent}` : css.step} data-state={s.state}>
          <strong>{i + 1}. {s.title}</strong> <span className="muted small">{s.state}</span>
          <p>{s.text}</p>
          <ul className={css.checkpoints} aria-label={`Checkpoints of step ${i + 1}`}>
            {s.checkpoints.map((c, j) => (
              <li key={j} data-state={c.state} className={c.state === 'passed' ? css.passed : c.state === 'failed' ? css.failed : undefined}>
                {MARK[c.state]} {c.label}{c.actual === undefined ? '' : ` (measured: ${c.actual})`}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

function Actors({ state }: { state: ScenarioStateDto }) {
  return (
    <table className="table-card" aria-label="Actors">
      <thead>
        <tr><th>Actor</th><th>Kind</th><th>State</th><th>Published</th><th>Received</th><th>Settled</th></tr>
      </thead>
      <tbody>
        {state.actors.map((a) => (
          <tr key={a.name} title={a.error}>
            <td className="mono">{a.name}</td><td>{a.kind}</td><td>{a.phase}{a.error === undefined ? '' : ` — ${a.error}`}{a.note === undefined ? '' : ` — ${a.note}`}</td>
            <td>{a.kind === 'producer' ? a.published : ''}</td><td>{a.kind === 'consumer' ? a.received : ''}</td><td>{a.kind === 'consumer' ? a.settled : ''}</td>
          </tr>
        ))}
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

function exportFile(scenario: ScenarioFileDto): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(scenario, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${scenario.id}.json`;
  a.click();
  URL.revokeObjectURL(url);
}
