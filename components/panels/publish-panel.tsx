'use client';
// Publish from the console: exchange (preselected from the graph), routing key, properties,
// headers, a text or JSON body; once, N times, or at a rate. Says whether each message was routed.
// Templates keep a form for later (localStorage). As the key and headers are typed, the route they
// would take is explained below the form (route-explanation.tsx) and highlighted on the graph.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { publishMessage } from '@/lib/client/api';
import { checkBody, parseBodyFormat, type BodyFormat } from '@/lib/client/body-format';
import { exchangeLabel } from '@/lib/client/graph/build';
import { usePanel } from '@/lib/client/panel-store';
import { useBindings, useExchanges } from '@/lib/client/queries';
import { noteKey } from '@/lib/client/recent-keys';
import { useSession } from '@/lib/client/session';
import { useTemplates, type PublishTemplate } from '@/lib/client/templates';
import type { MessageProperties } from '@/lib/client/types';
import { HeadersEditor, newRow, rowsToObject, type HeaderRow } from '../forms/headers-editor';
import { RouteExplanationView, useRouteExplanation } from './route-explanation';
import { SaveIcon, SendIcon, TrashIcon } from '../ui/icons';
import { FormError } from '@/components/forms/form-error';

interface Outcome {
  sent: number;
  routed: number;
  unroutable: number;
  total: number;
  error: string | null;
  running: boolean;
}

const EMPTY_OUTCOME: Outcome = { sent: 0, routed: 0, unroutable: 0, total: 0, error: null, running: false };

export function PublishPanel() {
  const vhost = useSession((s) => s.vhost);
  const preset = usePanel((s) => s.publishExchange);
  const { data: exchangeList } = useExchanges(vhost);
  const { data: bindingList } = useBindings(vhost);
  const exchanges = useMemo(() => (exchangeList ?? []).filter((e) => !e.internal).sort((a, b) => a.name.localeCompare(b.name)), [exchangeList]);
  const id = useId();

  const [exchange, setExchange] = useState(preset ?? '');
  const [routingKey, setRoutingKey] = useState('');
  const [body, setBody] = useState('{\n  "hello": "world"\n}');
  const [format, setFormat] = useState<BodyFormat>('auto');
  const [deliveryMode, setDeliveryMode] = useState<1 | 2>(2);
  const [contentType, setContentType] = useState('');
  const [correlationId, setCorrelationId] = useState('');
  const [replyTo, setReplyTo] = useState('');
  const [expiration, setExpiration] = useState('');
  const [priority, setPriority] = useState('');
  const [messageId, setMessageId] = useState('');
  const [headers, setHeaders] = useState<HeaderRow[]>([]);
  const [repeat, setRepeat] = useState('1');
  const [perSecond, setPerSecond] = useState('');
  const [mandatory, setMandatory] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(EMPTY_OUTCOME);
  const [formError, setFormError] = useState<string | null>(null);
  const stopRef = useRef(false);

  const templates = useTemplates((s) => s.templates);
  const putTemplate = useTemplates((s) => s.put);
  const removeTemplate = useTemplates((s) => s.remove);
  const [templateName, setTemplateName] = useState('');
  useEffect(() => useTemplates.getState().load(), []);

  useEffect(() => {
    if (preset !== null) setExchange(preset);
  }, [preset]);

  const keys = useMemo(() => {
    const set = new Set<string>();
    for (const b of bindingList ?? []) if (b.source === exchange && b.routing_key !== '') set.add(b.routing_key);
    return [...set].slice(0, 50);
  }, [bindingList, exchange]);

  const { sentAs, error: jsonError } = useMemo(() => checkBody(body, format), [body, format]);

  // headers as routing would read them; rows that do not parse yet leave them out of the explanation
  const explainHeaders = useMemo(() => {
    const h = rowsToObject(headers);
    return h.error || Object.keys(h.value).length === 0 ? null : h.value;
  }, [headers]);
  const explained = useRouteExplanation(vhost, exchange, routingKey, explainHeaders, mandatory);

  const properties = (): { props: MessageProperties; error: string | null } => {
    const props: MessageProperties = { delivery_mode: deliveryMode };
    const ct = contentType.trim() || (sentAs === 'json' ? 'application/json' : '');
    if (ct) props.content_type = ct;
    if (correlationId.trim()) props.correlation_id = correlationId.trim();
    if (replyTo.trim()) props.reply_to = replyTo.trim();
    if (expiration.trim()) {
      if (!/^\d+$/.test(expiration.trim())) return { props, error: 'Expiration is a number of milliseconds.' };
      props.expiration = expiration.trim();
    }
    if (priority.trim()) {
      const p = Number(priority);
      if (!Number.isInteger(p) || p < 0 || p > 255) return { props, error: 'Priority is a whole number from 0 to 255.' };
      props.priority = p;
    }
    if (messageId.trim()) props.message_id = messageId.trim();
    const h = rowsToObject(headers);
    if (h.error) return { props, error: h.error };
    if (Object.keys(h.value).length > 0) props.headers = h.value;
    return { props, error: null };
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (outcome.running) {
      stopRef.current = true;
      return;
    }
    if (jsonError) return setFormError(`The body is not valid JSON: ${jsonError}`);
    const { props, error } = properties();
    if (error) return setFormError(error);
    const total = Math.max(1, Math.min(100_000, Math.floor(Number(repeat) || 1)));
    const rate = Math.max(0, Number(perSecond) || 0);
    const payload = body;
    stopRef.current = false;
    let o: Outcome = { sent: 0, routed: 0, unroutable: 0, total, error: null, running: true };
    setOutcome(o);
    noteKey(exchange, routingKey);
    const start = performance.now();
    let lastPaint = 0;
    for (let i = 0; i < total && !stopRef.current; i++) {
      if (rate > 0) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      try {
        const res = await publishMessage(vhost, exchange, { routing_key: routingKey, properties: props, payload, payload_encoding: 'string' });
        o = { ...o, sent: o.sent + 1, routed: o.routed + (res.routed ? 1 : 0), unroutable: o.unroutable + (res.routed ? 0 : 1) };
      } catch (err) {
        o = { ...o, error: err instanceof Error ? err.message : String(err) };
        break;
      }
      const now = performance.now();
      if (now - lastPaint > 100 || i === total - 1) {
        lastPaint = now;
        setOutcome(o);
      }
    }
    setOutcome({ ...o, running: false });
  };

  const loadTemplate = (t: PublishTemplate) => {
    setExchange(t.exchange);
    setRoutingKey(t.routingKey);
    setBody(t.body);
    setFormat(parseBodyFormat(t.format));
    setDeliveryMode(t.deliveryMode);
    setContentType(t.contentType);
    setCorrelationId(t.correlationId);
    setReplyTo(t.replyTo);
    setExpiration(t.expiration);
    setPriority(t.priority);
    setMessageId(t.messageId);
    setHeaders(t.headers.map((h) => newRow(h.key, h.value, h.type)));
    setTemplateName(t.name);
  };

  const saveTemplate = () => {
    const name = templateName.trim();
    if (name === '') return setFormError('Name the template first.');
    putTemplate({
      name,
      exchange,
      routingKey,
      body,
      format,
      deliveryMode,
      contentType,
      correlationId,
      replyTo,
      expiration,
      priority,
      messageId,
      headers: headers.map(({ key, value, type }) => ({ key, value, type })),
    });
  };

  const prettify = () => {
    try {
      setBody(JSON.stringify(JSON.parse(body), null, 2));
    } catch {
      /* the error is shown already */
    }
  };

  const selectedTemplate = templates.find((t) => t.name === templateName);

  return (
    <form className="panel-form" onSubmit={submit} aria-label="Publish message">
      <div className="template-row">
        <select
          aria-label="Load a saved template"
          value={selectedTemplate ? selectedTemplate.name : ''}
          onChange={(e) => {
            const t = templates.find((x) => x.name === e.target.value);
            if (t) loadTemplate(t);
          }}
        >
          <option value="">{templates.length === 0 ? 'No templates' : 'Load template…'}</option>
          {templates.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
        <input aria-label="Template name" placeholder="template name" value={templateName} onChange={(e) => setTemplateName(e.target.value)} />
        <button type="button" className="icon-btn" aria-label="Save as template" title="Save as template" onClick={saveTemplate}>
          <SaveIcon />
        </button>
        {selectedTemplate && (
          <button type="button" className="icon-btn" aria-label={`Delete template ${selectedTemplate.name}`} title="Delete template" onClick={() => removeTemplate(selectedTemplate.name)}>
            <TrashIcon />
          </button>
        )}
      </div>

      <label className="field">
        <span>Exchange</span>
        <select name="exchange" value={exchange} onChange={(e) => setExchange(e.target.value)}>
          {exchanges.map((x) => (
            <option key={x.name} value={x.name}>
              {exchangeLabel(x.name)} · {x.type}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Routing key</span>
        <input name="routing_key" list={`${id}-keys`} value={routingKey} onChange={(e) => setRoutingKey(e.target.value)} spellCheck={false} autoComplete="off" placeholder={exchange === '' ? 'queue name' : 'routing key'} />
        <datalist id={`${id}-keys`}>
          {keys.map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
      </label>

      <div className="field">
        <div className="field-head">
          <span id={`${id}-body`}>Body</span>
          <div className="segmented segmented-sm" role="radiogroup" aria-label="Body format">
            {(['auto', 'text', 'json'] as const).map((f) => (
              <label key={f} className={format === f ? 'on' : ''} title={f === 'auto' ? 'JSON when the body is a JSON object or array, text otherwise' : undefined}>
                <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
                {f === 'json' ? 'JSON' : f === 'text' ? 'Text' : 'Auto'}
              </label>
            ))}
          </div>
          {sentAs === 'json' && (
            <button type="button" className="btn btn-ghost btn-xs" onClick={prettify} disabled={jsonError !== null}>
              Format
            </button>
          )}
        </div>
        <textarea
          aria-labelledby={`${id}-body`}
          name="body"
          className={`code${jsonError ? ' invalid' : ''}`}
          rows={6}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          spellCheck={false}
        />
        {jsonError ? (
          <small className="hint error">{jsonError}</small>
        ) : (
          format === 'auto' && (
            <small className="hint" data-testid="body-sent-as">
              {sentAs === 'json' ? 'Sent as JSON (application/json).' : 'Sent as plain text.'}
            </small>
          )
        )}
      </div>

      <details className="more">
        <summary>Properties and headers</summary>
        <div className="field">
          <span id={`${id}-dm`}>Delivery mode</span>
          <div className="segmented segmented-sm" role="radiogroup" aria-labelledby={`${id}-dm`}>
            {([2, 1] as const).map((m) => (
              <label key={m} className={deliveryMode === m ? 'on' : ''}>
                <input type="radio" name="delivery_mode" checked={deliveryMode === m} onChange={() => setDeliveryMode(m)} />
                {m === 2 ? 'Persistent (2)' : 'Transient (1)'}
              </label>
            ))}
          </div>
        </div>
        <div className="grid-2">
          <label className="field">
            <span>Content type</span>
            <input value={contentType} onChange={(e) => setContentType(e.target.value)} placeholder={sentAs === 'json' ? 'application/json' : 'none'} />
          </label>
          <label className="field">
            <span>Correlation id</span>
            <input value={correlationId} onChange={(e) => setCorrelationId(e.target.value)} />
          </label>
          <label className="field">
            <span>Reply to</span>
            <input value={replyTo} onChange={(e) => setReplyTo(e.target.value)} />
          </label>
          <label className="field">
            <span>Message id</span>
            <input value={messageId} onChange={(e) => setMessageId(e.target.value)} />
          </label>
          <label className="field">
            <span>Expiration (ms)</span>
            <input inputMode="numeric" value={expiration} onChange={(e) => setExpiration(e.target.value)} />
          </label>
          <label className="field">
            <span>Priority</span>
            <input inputMode="numeric" value={priority} onChange={(e) => setPriority(e.target.value)} />
          </label>
        </div>
        <HeadersEditor label="Header" rows={headers} onChange={setHeaders} />
      </details>

      <div className="grid-2">
        <label className="field">
          <span>Repeat</span>
          <input name="repeat" inputMode="numeric" value={repeat} onChange={(e) => setRepeat(e.target.value)} aria-describedby={`${id}-rep`} />
        </label>
        <label className="field">
          <span>Rate (msg/s)</span>
          <input name="rate" inputMode="decimal" value={perSecond} onChange={(e) => setPerSecond(e.target.value)} placeholder="as fast as possible" />
        </label>
      </div>
      <small id={`${id}-rep`} className="hint">
        Times to publish this message.
      </small>
      <label className="route-mandatory" title="The management API has no mandatory flag: this only changes the explanation below">
        <input type="checkbox" name="mandatory" checked={mandatory} onChange={(e) => setMandatory(e.target.checked)} />
        Mandatory (as an AMQP publisher would set it)
      </label>

      <FormError error={formError} />
      <button type="submit" className={outcome.running ? 'btn btn-block' : 'btn btn-primary btn-block'}>
        {outcome.running ? (
          `Stop (${outcome.sent}/${outcome.total})`
        ) : (
          <>
            <SendIcon size={14} /> Publish{Number(repeat) > 1 ? ` ${Math.floor(Number(repeat))}×` : ''}
          </>
        )}
      </button>
      <PublishOutcome outcome={outcome} />
      <RouteExplanationView error={explained.error} />
    </form>
  );
}

function PublishOutcome({ outcome }: { outcome: Outcome }) {
  if (outcome.total === 0) return null;
  if (outcome.error) {
    return (
      <p className="outcome outcome-error" role="alert">
        {outcome.error}
      </p>
    );
  }
  if (outcome.sent === 0) return null;
  if (outcome.total === 1) {
    return outcome.routed === 1 ? (
      <p className="outcome outcome-ok" role="status" data-testid="publish-outcome">
        Routed: the message reached at least one queue.
      </p>
    ) : (
      <p className="outcome outcome-warn" role="status" data-testid="publish-outcome">
        Unroutable: no binding matched, the message was dropped.
      </p>
    );
  }
  return (
    <p className={`outcome ${outcome.unroutable > 0 ? 'outcome-warn' : 'outcome-ok'}`} role="status" data-testid="publish-outcome">
      {outcome.sent.toLocaleString('en-US')} published · {outcome.routed.toLocaleString('en-US')} routed
      {outcome.unroutable > 0 ? ` · ${outcome.unroutable.toLocaleString('en-US')} unroutable` : ''}
      {outcome.running ? '…' : ''}
    </p>
  );
}
