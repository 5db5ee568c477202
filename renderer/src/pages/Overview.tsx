import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { useJob } from '../useCall.ts';
import { Chip, Meter } from '../components/Chip.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import { ProfileDifferences } from '../components/ProfileDifferences.tsx';
import { NOTHING, counted, duration, int, limitText, pct, timeSpan, usd, when } from '../format.ts';
import type { CapacityFigure, HeldLimitFigure, Overview, TriggerFigure } from '../../../src/api/types.ts';
import type { KeyFigure } from '../../../src/views/key-figure.ts';
import { STATUS_RANK } from '../../../src/views/status.ts';
import { FirstRun } from '../components/FirstRun.tsx';
import { useGo, useLedger } from '../nav.ts';
import { openDetail } from '../modeling/detail.ts';
import { useVirtualRows } from '../modeling/virtual-rows.ts';
import { VirtualBody } from '../modeling/VirtualBody.tsx';
import { warmEditsAfterFirstOverview } from '../modeling/warm.ts';
import { UnsavedEditsNote } from '../components/UnsavedEditsNote.tsx';
import { HeldLimitsNote, HeldTag, heldKey, useHeldIndex } from '../components/HeldLimits.tsx';
import type { HeldIndex } from '../components/HeldLimits.tsx';

function capValue(c: CapacityFigure, n: number | null): string {
  if (n === null) return 'unlimited';
  return c.unit === 'usd' ? usd(n) : int(n);
}

/** Requests a workspace spend limit refused: what neither the key's cap nor its throttles did. */
const bySpendLimit = (k: KeyFigure): number => k.blocked - k.blockedByCap - k.blockedByThrottle;

function Headline({ o }: { o: Overview }) {
  const spendHeld = o.keys.filter((k) => bySpendLimit(k) > 0).length;
  const cards = [
    { label: 'Keys capped out', value: o.headline.keysCapped, of: o.keys.length, tone: o.headline.keysCapped ? 'limited' : 'ok' },
    { label: 'Keys held by a spend limit', value: spendHeld, of: o.keys.length, tone: spendHeld ? 'limited' : 'ok' },
    // the throttles are the platform's code's (SPEC section 9 rule 7): a card only when one refused something
    ...(o.headline.keysThrottled > 0
      ? [{ label: 'Keys throttled (per minute / hour)', value: o.headline.keysThrottled, of: o.keys.length, tone: 'limited' }]
      : []),
    { label: 'Keys near their cap', value: o.headline.keysNear, of: o.keys.length, tone: o.headline.keysNear ? 'near' : 'ok' },
    { label: 'Triggers that queue or drop', value: o.headline.triggersLimited, of: o.triggers.length, tone: o.headline.triggersLimited ? 'limited' : 'ok' },
    { label: 'People’s messages blocked', value: o.headline.blockedMessages, of: null, tone: o.headline.blockedMessages ? 'limited' : 'ok' },
  ];
  const explained = explainedWords(o.held.explained);
  return (
    <>
      <section className="cards" aria-label="At a glance">
        {cards.map((c) => (
          <div key={c.label} className={`card tone-${c.tone}`}>
            <div className="card-value">
              {int(c.value)}
              {c.of !== null && <span className="card-of"> / {int(c.of)}</span>}
            </div>
            <div className="card-label">{c.label}</div>
          </div>
        ))}
      </section>
      {explained !== null && (
        <p className="muted small" data-testid="headline-explained">
          {explained}
        </p>
      )}
    </>
  );
}

/**
 * The cards count every refusal of the replay (the plan as written refuses them); those the held
 * limits explain are in the export, which the headline says beside them, as `headroom simulate`'s
 * verdict does. null when none is.
 */
function explainedWords(e: Overview['held']['explained']): string | null {
  const parts = [e.notRun > 0 ? `${int(e.notRun)} of the replay’s refusals` : '', e.late > 0 ? `${int(e.late)} of ${e.notRun > 0 ? 'its' : 'the replay’s'} delays` : ''].filter(Boolean);
  if (parts.length === 0) return null;
  const one = e.notRun + e.late === 1;
  return `${parts.join(' and ')} ${one ? 'is' : 'are'} in the export, so the platform let ${one ? 'it' : 'them'} through (see “Held by the platform’s own limits” below).`;
}

export function OverviewPage({ version, onChanged }: { version: number; onChanged: () => void }) {
  const { events } = useLedger();
  const empty = events === 0;
  // First the overview stored at the last session's end, when it is for these events and plan;
  // then the live one, which replaces it.
  const [fresh, setFresh] = useState(false);
  // armed before the first overview is asked for: once it is answered, the edit paths are warmed
  useEffect(warmEditsAfterFirstOverview, []);
  const { data, error, loading, progress, cancel } = useJob('workspace-overview', empty ? null : fresh ? { fresh } : {}, [version, empty, fresh]);
  useEffect(() => {
    if (data?.stored) setFresh(true);
  }, [data]);
  const go = useGo();
  const showKey = useCallback(
    (id: string) => {
      openDetail({ kind: 'key', id });
      go('keys');
    },
    [go],
  );
  const showTrigger = useCallback(
    (id: string) => {
      openDetail({ kind: 'trigger', id });
      go('triggers');
    },
    [go],
  );
  const keys = useRows(data?.keys, keyOrder);
  const triggers = useRows(data?.triggers, triggerOrder);
  const held = useHeldIndex(data?.held);
  if (empty) {
    return (
      <div className="page" data-testid="overview">
        <h1>Overview</h1>
        <FirstRun />
      </div>
    );
  }
  if (error) {
    return (
      <div className="page" data-testid="overview">
        <h1>Overview</h1>
        <ErrorBox error={error} title="Could not simulate the plan" />
      </div>
    );
  }
  if (!data) {
    return (
      <div className="page" data-testid="overview">
        <h1>Overview</h1>
        {progress ? <ProgressBar done={progress.done} total={progress.total} label="Simulating" onCancel={cancel} /> : <p className="muted">{loading ? 'Simulating…' : 'Cancelled.'}</p>}
      </div>
    );
  }
  const o = data;
  return (
    <div className="page" data-testid="overview">
      <header className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="muted">
            <strong>{o.planName}</strong> · {int(o.events)} events · {timeSpan(o.ledger.firstEvent, o.ledger.lastEvent)} · <span title={o.ledger.path}>{o.ledger.path.split(/[\\/]/).pop()}</span>
          </p>
        </div>
        {o.stored ? (
          <span className="muted small" data-testid="overview-stored" title={`Computed ${when(o.stored.savedAt)}${o.stored.by === 'import' ? ' by headroom import' : ''}`}>
            {o.stored.by === 'import' ? 'As of the last command-line import' : 'From the last session'} · updating…
          </span>
        ) : (
          loading && <span className="muted small">Updating…</span>
        )}
      </header>
      <UnsavedEditsNote onSaved={onChanged} />
      <Headline o={o} />
      <HeldLimitsNote held={o.held} />
      <ProfileDifferences version={version} />

      <section aria-labelledby="cap-h">
        <h2 id="cap-h">Pool and allowance</h2>
        <div className="capacity">
          {o.capacity.map((c) => (
            <div key={c.id} className="cap-row" data-testid={`capacity-${c.id}`}>
              <div className="cap-label">
                {c.label} <Chip status={c.status} />
                {/* the allowance and the pool; a spend limit's id never matches one */}
                <HeldTag figure={held.get(c.id)} />
              </div>
              <Meter share={c.peakShare} status={c.status} />
              <div className="cap-figures num">
                peak {capValue(c, c.peak)} of {capValue(c, c.limit)} ({pct(c.peakShare)}){c.blocked > 0 && <> · {int(c.blocked)} held back</>}
              </div>
            </div>
          ))}
        </div>
      </section>

      <KeysTable keys={keys} held={held} onShow={showKey} />
      <TriggersTable triggers={triggers} held={held} onShow={showTrigger} />
    </div>
  );
}

const rank = (s: keyof typeof STATUS_RANK): number => STATUS_RANK[s];

/**
 * Each table's rows are virtual (modeling/virtual-rows.ts): hundreds of keys and triggers at 1M
 * events made the first frame of Overview spend most of a second in style and layout. A row is laid
 * out at this height (its tallest usual content at 1440 px: a blocked key's three lines, a trigger
 * whose name wraps), so that the scrollbar is true before a row is drawn; a row that wraps taller
 * (at 1024 px) is measured.
 */
const KEY_ROW_PX = 76;
const TRIGGER_ROW_PX = 76;
const KEY_COLUMNS = 7;
const TRIGGER_COLUMNS = 8;
const keyId = (k: KeyFigure): string => k.id;
const triggerId = (t: TriggerFigure): string => t.id;

/**
 * The tables are drawn again only when their rows change: not for the page's own state (the
 * stored overview giving way to the live one, "updating…"), hundreds of rows at 1M events.
 */
const KeysTable = memo(function KeysTable({ keys, held, onShow }: { keys: KeyFigure[]; held: HeldIndex; onShow: (id: string) => void }) {
  const v = useVirtualRows(keys, keyId, KEY_ROW_PX);
  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">
        API keys <TableCount n={keys.length} one="key" />
      </h2>
      {keys.length === 0 && (
        <p className="muted" data-testid="keys-none">
          No API key appears in this history and the plan names none: programmatic spend without a key counts against the spend limits only.
        </p>
      )}
      <div className="table-wrap vtable" ref={v.scrollRef} hidden={keys.length === 0}>
        <table data-testid="keys-table">
          <thead ref={v.headRef}>
            <tr>
              <th scope="col">Key</th>
              <th scope="col" className="num">Cap</th>
              <th scope="col" className="num">Peak 30-day spend</th>
              <th scope="col">Of cap</th>
              <th scope="col" className="num wide-only">Requests</th>
              <th scope="col" className="num">Blocked</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <VirtualBody v={v} columns={KEY_COLUMNS} row={(k, index) => <KeyRow key={k.id} k={k} held={held.get(heldKey('key', k.id)) ?? held.get(heldKey('throttle', k.id))} index={index} onShow={onShow} measure={v.measure} />} />
        </table>
      </div>
    </section>
  );
});

/**
 * How many rows a table holds, and their order: the table scrolls inside its own box, and a box
 * cut at a row's edge does not show that more rows follow.
 */
function TableCount({ n, one }: { n: number; one: string }) {
  if (n === 0) return null;
  return (
    <span className="h-note" data-testid="table-count">
      {counted(n, one)}
      {n > 1 && ', the most limited first'}
    </span>
  );
}

interface RowProps {
  index: number;
  onShow: (id: string) => void;
  measure: (el: HTMLTableRowElement | null) => void;
}

/** One row, drawn again only when its key changes: not as the table scrolls. */
const KeyRow = memo(function KeyRow({ k, held, index, onShow, measure }: RowProps & { k: KeyFigure; held: HeldLimitFigure | undefined }) {
  return (
    <tr ref={measure} data-index={index} data-key={k.id} className="clickable" style={{ height: KEY_ROW_PX }} onClick={() => onShow(k.id)}>
      <th scope="row">
        <button type="button" className="link" onClick={(e) => { e.stopPropagation(); onShow(k.id); }} aria-label={`Details of ${k.name}`}>
          {k.name}
        </button>
        {k.inferred && <span className="tag">inferred</span>}
        {k.name !== k.id && <div className="muted small">{k.id}</div>}
      </th>
      <td className="num">{k.capUsd === null ? 'no cap' : usd(k.capUsd)}</td>
      <td className="num">{usd(k.peakUsd)}</td>
      <td>
        {/* a key without a cap has no share of one: the Cap column already says "no cap" */}
        {k.peakShare === null ? (
          NOTHING
        ) : (
          <>
            <Meter share={k.peakShare} status={k.status} /> <span className="num small">{pct(k.peakShare)}</span>
          </>
        )}
      </td>
      <td className="num wide-only">{int(k.requests)}</td>
      <td className="num wrap">
        {k.blocked ? `${int(k.blocked)} (${usd(k.blockedUsd)})` : '0'}
        {k.blocked > 0 && (
          <div className="muted small">
            {[
              k.blockedByCap > 0 ? `${int(k.blockedByCap)} by its cap` : '',
              k.blockedByThrottle > 0 ? `${int(k.blockedByThrottle)} by its throttle` : '',
              bySpendLimit(k) > 0 ? `${int(bySpendLimit(k))} by spend limit` : '',
            ]
              .filter(Boolean)
              .join(' · ')}
            <div>
              first {when(k.firstBlocked)}, usable again {when(k.usableAgain)}
            </div>
          </div>
        )}
      </td>
      <td>
        <Chip status={k.status} />
        <HeldTag figure={held} block />
      </td>
    </tr>
  );
});

const TriggersTable = memo(function TriggersTable({ triggers, held, onShow }: { triggers: TriggerFigure[]; held: HeldIndex; onShow: (id: string) => void }) {
  const v = useVirtualRows(triggers, triggerId, TRIGGER_ROW_PX);
  return (
    <section aria-labelledby="trig-h">
      <h2 id="trig-h">
        Triggers <TableCount n={triggers.length} one="trigger" />
      </h2>
      {triggers.length === 0 && (
        <p className="muted" data-testid="triggers-none">
          No trigger (webhook or schedule) appears in this history and the plan names none, so nothing queues, drops or skips.
        </p>
      )}
      <div className="table-wrap vtable" ref={v.scrollRef} hidden={triggers.length === 0}>
        <table data-testid="triggers-table">
          <thead ref={v.headRef}>
            <tr>
              <th scope="col">Trigger</th>
              <th scope="col">Mode</th>
              <th scope="col" className="num">Limit / 24&nbsp;h</th>
              <th scope="col" className="num wide-only">Arrivals</th>
              <th scope="col" className="num">Delayed</th>
              <th scope="col" className="num">Dropped / skipped / pending</th>
              <th scope="col" className="num wide-only">Wait (p95 · max)</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <VirtualBody v={v} columns={TRIGGER_COLUMNS} row={(t, index) => <TriggerRow key={t.id} t={t} held={held.get(heldKey('trigger', t.id))} index={index} onShow={onShow} measure={v.measure} />} />
        </table>
      </div>
    </section>
  );
});

const TriggerRow = memo(function TriggerRow({ t, held, index, onShow, measure }: RowProps & { t: TriggerFigure; held: HeldLimitFigure | undefined }) {
  return (
    <tr ref={measure} data-index={index} data-trigger={t.id} className="clickable" style={{ height: TRIGGER_ROW_PX }} onClick={() => onShow(t.id)}>
      <th scope="row">
        <button type="button" className="link" onClick={(e) => { e.stopPropagation(); onShow(t.id); }} aria-label={`Details of ${t.name}`}>
          {t.name}
        </button>
        {t.inferred && <span className="tag">inferred</span>}
        <div className="muted small">
          {t.name !== t.id && `${t.id} · `}
          {t.kind}
        </div>
      </th>
      <td>{t.mode === 'fair_use' ? 'fair use' : 'programmatic'}</td>
      <td className="num">{limitText(t.limit)}</td>
      <td className="num wide-only">{int(t.arrivals)}</td>
      <td className="num">{int(t.delayed)}</td>
      <td className="num">
        {int(t.dropped)} / {int(t.skipped)} / {int(t.pending)}
      </td>
      <td className="num wide-only">
        {/* as Triggers says it: p95 then max, "—" for no wait */}
        {t.maxDelayMs > 0 ? `${duration(t.p95DelayMs)} · ${duration(t.maxDelayMs)}` : NOTHING}
        {t.peakQueue > 0 && <div className="muted small">queue peak {int(t.peakQueue)}</div>}
      </td>
      <td>
        <Chip status={t.status} />
        <HeldTag figure={held} block />
      </td>
    </tr>
  );
});

/** The rows in the page's order, the same array while their content is the same (a live answer repeating the stored one). */
function useRows<T extends { status: keyof typeof STATUS_RANK }>(rows: T[] | undefined, order: (a: T, b: T) => number): T[] {
  const json = useMemo(() => JSON.stringify(rows ?? []), [rows]);
  // keyed on the content, not the answer's identity
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => [...(JSON.parse(json) as T[])].sort(order), [json]);
}

const keyOrder = (a: KeyFigure, b: KeyFigure): number => rank(b.status) - rank(a.status) || (b.peakShare ?? -1) - (a.peakShare ?? -1);
const triggerOrder = (a: TriggerFigure, b: TriggerFigure): number => rank(b.status) - rank(a.status) || b.delayed + b.dropped - (a.delayed + a.dropped);
