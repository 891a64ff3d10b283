'use client';
// Presenter mode: the scenario alone on the screen, in large type, without the console's chrome:
// the current step's checkpoints and the actors' counts in the middle, its narrative as a caption
// at the bottom, a thin bar of controls at the top. Escape leaves it.
import { useEffect } from 'react';
import { Checkpoints, Controls, stepsOf, useAct } from './scenario-player-page';
import css from './presenter-view.module.css';

export function PresenterView({ id, startAt, admin, onExit }: { id: string; startAt?: number; admin: boolean; onExit: () => void }) {
  const { detail, busy, act } = useAct(id);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onExit();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onExit]);
  const data = detail.data;
  if (data === undefined) return <div className={css.stage}><p className={css.caption}>Loading…</p></div>;
  const { scenario, state } = data;
  const steps = stepsOf(scenario, state);
  const running = state !== null && state.step >= 0;
  const index = running ? state.step : Math.min(startAt ?? 0, steps.length - 1);
  const step = steps[index];
  return (
    <div className={css.stage} role="dialog" aria-modal="true" aria-label={`Presenting ${scenario.title}`} data-testid="presenter">
      <header className={css.bar}>
        <strong className={css.title}>{scenario.title}</strong>
        <span className={css.counter}>step {index + 1} of {steps.length}</span>
        {admin && <Controls id={id} state={state} busy={busy} act={act} startAt={startAt} compact />}
        <button type="button" className="btn btn-sm" onClick={onExit}>Exit presenter mode</button>
      </header>
      <main className={css.main}>
        <section className={css.panel} aria-label="Checkpoints">
          <h2 className={css.stepTitle}>{step.title}</h2>
          <Checkpoints step={step} index={index} />
          {state !== null && state.notes.length > 0 && <p className={css.note}>{state.notes[state.notes.length - 1]}</p>}
        </section>
        {state !== null && (
          <section className={css.actors} aria-label="Actors">
            {state.actors.filter((a) => a.phase !== 'idle').map((a) => (
              <div key={a.name} className={css.actor} data-phase={a.phase}>
                <span className={css.actorName}>{a.name}</span>
                <span className={css.actorMeta}>
                  {a.kind} · {a.phase}{a.refusedCode === undefined ? '' : ` ${a.refusedCode}`}
                  {a.kind === 'producer' || a.kind === 'rpc-client' ? ` · sent ${a.published}` : ''}
                  {a.kind !== 'producer' ? ` · received ${a.received}` : ''}
                  {a.returned > 0 ? ` · returned ${a.returned}` : ''}
                </span>
              </div>
            ))}
          </section>
        )}
      </main>
      <p className={css.caption} aria-live="polite" data-testid="presenter-caption">{step.text}</p>
    </div>
  );
}
