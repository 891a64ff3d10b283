'use client';
// Above the canvas: search, built-in exchanges, pause, fit, re-layout, create, publish.
import { useEffect, useRef, useState } from 'react';
import { useGraph } from '@/lib/client/graph/store';
import { usePanel } from '@/lib/client/panel-store';
import { useStats } from '@/lib/client/stats-store';
import { FirehoseToggle } from './firehose-toggle';
import { FitIcon, LayoutIcon, PauseIcon, PlayIcon, PlusIcon, SearchIcon, SendIcon } from '../ui/icons';

export function GraphToolbar() {
  const filter = useGraph((s) => s.filter);
  const setFilter = useGraph((s) => s.setFilter);
  const matches = useGraph((s) => s.matches);
  const showBuiltins = useGraph((s) => s.showBuiltins);
  const setShowBuiltins = useGraph((s) => s.setShowBuiltins);
  const paused = useGraph((s) => s.paused);
  const setPaused = useGraph((s) => s.setPaused);
  const requestFit = useGraph((s) => s.requestFit);
  const resetLayout = useGraph((s) => s.resetLayout);
  const focusNode = useGraph((s) => s.focusNode);
  const hasPinned = useGraph((s) => Object.keys(s.pinned).length > 0);
  const counts = useGraph((s) => {
    let e = 0;
    let q = 0;
    for (const n of s.nodes) {
      if (n.type === 'exchange') e++;
      else if (n.type === 'queue') q++;
    }
    return `${e}\u0000${q}`;
  });
  const [exchanges, drawn] = counts.split('\u0000');
  // too many queues to draw one by one: the count is the vhost's, the graph shows them in groups
  const aggregated = useGraph((s) => s.aggregated);
  const queues = aggregated === null ? drawn : aggregated.queues.toLocaleString('en-US');
  const create = usePanel((s) => s.create);
  const open = usePanel((s) => s.open);
  const [text, setText] = useState(filter);
  const searchRef = useRef<HTMLInputElement>(null);

  // typing filters after a short pause, so a big graph is not rebuilt per keystroke
  useEffect(() => {
    const id = setTimeout(() => setFilter(text), 150);
    return () => clearTimeout(id);
  }, [text, setFilter]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !(e.target as HTMLElement).closest('input, textarea, select')) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    useStats.getState().setFrozen(paused);
  }, [paused]);

  return (
    <div className="toolbar" role="toolbar" aria-label="Graph">
      <div className="search">
        <SearchIcon />
        <input
          ref={searchRef}
          type="search"
          placeholder="Filter by name…"
          aria-label="Filter the graph by name"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              setFilter(text);
              const first = useGraph.getState().matches[0];
              if (first) focusNode(first);
            } else if (e.key === 'Escape') setText('');
          }}
        />
        {filter !== '' && <span className="search-count">{matches.length} match{matches.length === 1 ? '' : 'es'}</span>}
        <kbd aria-hidden="true">/</kbd>
      </div>
      <label className="switch" title="Show amq.* and the default exchange">
        <input type="checkbox" role="switch" checked={showBuiltins} onChange={(e) => setShowBuiltins(e.target.checked)} />
        <span className="switch-track" aria-hidden="true" />
        <span>Built-in exchanges</span>
      </label>
      <FirehoseToggle />
      <span className="toolbar-stat" aria-live="polite">
        {exchanges} exchanges · {queues} queues
        {aggregated !== null && (
          <span className="toolbar-note" title="Too many queues to draw one by one: queues bound from the same exchanges are one node. Type in the filter to draw up to 1,000 of them.">
            {' '}
            (grouped)
          </span>
        )}
      </span>
      <div className="toolbar-spacer" />
      <div className="btn-group">
        <button
          type="button"
          className={paused ? 'btn btn-sm btn-paused' : 'btn btn-sm'}
          aria-pressed={paused}
          onClick={() => setPaused(!paused)}
          title={paused ? 'Resume live updates' : 'Freeze the picture'}
        >
          {paused ? <PlayIcon size={14} /> : <PauseIcon size={14} />}
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="btn btn-sm" onClick={requestFit} title="Fit the whole graph into view">
          <FitIcon size={14} />
          Fit
        </button>
        <button type="button" className="btn btn-sm" onClick={resetLayout} title={hasPinned ? 'Forget dragged positions and lay out again' : 'Lay out again'}>
          <LayoutIcon size={14} />
          Layout
        </button>
      </div>
      <div className="btn-group">
        <button type="button" className="btn btn-sm" onClick={() => create('exchange')}>
          <PlusIcon size={14} /> Exchange
        </button>
        <button type="button" className="btn btn-sm" onClick={() => create('queue')}>
          <PlusIcon size={14} /> Queue
        </button>
      </div>
      <button
        type="button"
        className="btn btn-sm btn-primary"
        onClick={() => {
          const s = useGraph.getState();
          const sel = s.selectedNodeId;
          open('publish', sel?.startsWith('e|') ? sel.slice(2) : null);
        }}
      >
        <SendIcon size={14} /> Publish
      </button>
    </div>
  );
}
