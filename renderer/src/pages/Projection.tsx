import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Area, AreaChart, CartesianGrid, Line, ComposedChart, ReferenceLine, Tooltip, XAxis, YAxis, usePlotArea, useXAxisScale } from 'recharts';
import { useJob } from '../useCall.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import { Chip } from '../components/Chip.tsx';
import { PlanControls } from '../components/PlanControls.tsx';
import { UnsavedEditsNote } from '../components/UnsavedEditsNote.tsx';
import { day, duration, int, timeSpan, usd, when } from '../format.ts';
import { tickLabel, valueScale } from '../../../src/projection/scale.ts';
import { ChartActions } from '../charts/ChartActions.tsx';
import { useWidth } from '../charts/useWidth.ts';
import { NoData } from '../components/FirstRun.tsx';
import { useLedger } from '../nav.ts';
import { ProfileDifferences } from '../components/ProfileDifferences.tsx';
import type { KeyChart, Projection, Series, Span } from '../../../src/api/types.ts';
import { shareUnchanged } from '../../../src/projection/share.ts';
import { chartRows } from '../../../src/projection/rows.ts';
import { WINDOW_WORDS } from '../../../src/projection/window-words.ts';
import { PROJECTION_PAINTED_MARK } from '../../../src/projection/marks.ts';

/** What the time axis of every chart is drawn from (kept as one object while it holds). */
type Axis = Pick<Projection, 'start' | 'end' | 'bucketMs' | 'width' | 'dataEnd' | 'drainEnd' | 'warmUntil'>;

const H = 180;
/** Room for the value axis: its ticks, and its title turned up the left edge. */
const Y_W = 70;
/** The value axis and the plot's side margins (8 + 16). */
const AXIS_PX = Y_W + 24;

/** A value axis's title (what is counted, and in what unit), drawn into the chart so a saved SVG or PNG keeps it. */
const yTitle = (value: string, side: 'left' | 'right' = 'left') => ({
  value,
  angle: side === 'left' ? -90 : 90,
  position: side === 'left' ? ('insideLeft' as const) : ('insideRight' as const),
  style: { textAnchor: 'middle' as const, fill: 'var(--muted)', fontSize: 11 },
  className: 'axis-title',
});


/**
 * Draws its chart once it comes near the screen: a projection has a dozen charts and drawing the
 * ones below the fold would hold up the ones in view.
 */
function InView({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setSeen(true);
        io.disconnect();
      }
    }, { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  return (
    <div ref={ref} className="chart-body" style={{ height: H }}>
      {seen ? children : <span className="chart-placeholder">Drawing when scrolled to…</span>}
    </div>
  );
}

/** Spans closer than a pixel are one shaded band on screen; merging keeps the SVG small. */
function mergeSpans(spans: Span[], gap: number): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && s.from - last.until <= gap) last.until = Math.max(last.until, s.until);
    else out.push({ ...s });
  }
  return out;
}

/**
 * Ticks at whole UTC days, about one per 110 px, given outright: left to itself the chart measures
 * every candidate label in the DOM to avoid overlaps, which forces a layout per label.
 */
function dayTicks(start: number, end: number, width: number): number[] {
  const DAY = 86_400_000;
  const count = Math.max(2, Math.floor(width / 110));
  const step = Math.max(1, Math.ceil((end - start) / DAY / count)) * DAY;
  const out: number[] = [];
  for (let t = Math.ceil(start / DAY) * DAY; t <= end; t += step) out.push(t);
  return out;
}

/**
 * The spans a key was capped out, shaded in one layer. One ReferenceArea per span would register
 * each with the chart's store, and a key capped out dozens of times then took most of a redraw.
 */
function CappedBands({ spans }: { spans: Span[] }) {
  const x = useXAxisScale();
  const area = usePlotArea();
  if (!x || !area) return null;
  const left = area.x;
  const right = area.x + area.width;
  return (
    <g className="capped-bands">
      {spans.map((s, i) => {
        const from = Math.max(left, Number(x(s.from)));
        const until = Math.min(right, Number(x(s.until)));
        if (!(until >= from)) return null;
        // a span shorter than a pixel still shows
        return <rect key={i} className="capped-band" x={from} y={area.y} width={Math.max(1, until - from)} height={area.height} fill="var(--bad)" fillOpacity={0.15} />;
      })}
    </g>
  );
}

/**
 * The stretch where a rolling 30-day window is still filling (its sum climbs from zero whatever
 * the use), shaded and named; and the data's end, with the queue's drain after it, marked.
 */
function AxisMarks({ p, warm }: { p: Axis; warm: boolean }) {
  const x = useXAxisScale();
  const area = usePlotArea();
  if (!x || !area) return null;
  const right = area.x + area.width;
  const at = (t: number) => Math.min(right, Math.max(area.x, Number(x(t))));
  return (
    <g className="axis-marks">
      {warm && p.warmUntil > p.start && Number.isFinite(at(p.warmUntil)) && (
        <g className="warmup" data-testid="warmup">
          <rect x={area.x} y={area.y} width={at(p.warmUntil) - area.x} height={area.height} fill="var(--muted)" fillOpacity={0.12} />
          <text x={area.x + 4} y={area.y + 12} fill="var(--muted)" fontSize={11}>
            window filling
          </text>
        </g>
      )}
      {p.dataEnd !== null && p.drainEnd !== null && (
        <g className="drain" data-testid="drain">
          <line x1={at(p.dataEnd)} x2={at(p.dataEnd)} y1={area.y} y2={area.y + area.height} stroke="var(--muted)" strokeDasharray="2 3" />
          <text x={at(p.dataEnd) - 4} y={area.y + 12} fill="var(--muted)" fontSize={11} textAnchor="end">
            data ends · queue drains →
          </text>
        </g>
      )}
    </g>
  );
}

const axisX = (p: Axis) => (
  <XAxis dataKey="t" type="number" scale="time" domain={[p.start, p.end]} ticks={dayTicks(p.start, p.end, p.width)} interval={0} tickFormatter={day} stroke="var(--muted)" fontSize={11} />
);

const KeyPanel = memo(function KeyPanel({ k, p, width }: { k: KeyChart; p: Axis; width: number }) {
  const spans = mergeSpans(k.cappedSpans, p.bucketMs);
  const scale = valueScale(k.peakUsd, k.capUsd);
  const rows = useMemo(() => chartRows(p.start, p.bucketMs, { spend: k.spend }), [p.start, p.bucketMs, k.spend]);
  const figure = useRef<HTMLElement>(null);
  return (
    <figure className="chart" data-testid={`key-chart-${k.id}`} ref={figure} data-axis-end={p.end} data-data-end={p.dataEnd ?? undefined} data-drain-end={p.drainEnd ?? undefined}>
      <figcaption>
        <strong>{k.name}</strong> <Chip status={k.status} /> <span className="muted">rolling spend {k.capUsd !== null ? `against its ${usd(k.capUsd)} cap` : '(no cap)'} · peak {usd(k.peakUsd)}</span>
        {/* the red shade's legend, and when it first happened: a count of shades would change with the
            window's width (spans closer than a point merge), so none is given */}
        {spans.length > 0 && (
          <span className="muted" data-testid="capped-note">
            {' · '}
            <span className="swatch swatch-capped" aria-hidden="true" />
            capped out, first {when(spans[0]!.from)}
          </span>
        )}
        {scale.limitAbove && <span className="muted"> · cap above the chart</span>} <ChartActions figure={figure} name={`${k.name} rolling spend`} />
      </figcaption>
      <InView>
      <AreaChart width={width} height={H} data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
        {axisX(p)}
        <YAxis domain={[0, scale.top]} ticks={scale.ticks} interval={0} tickFormatter={(v: number) => tickLabel(v, 'usd')} width={Y_W} stroke="var(--muted)" fontSize={11} label={yTitle('30-day spend ($)')} />
        <CappedBands spans={spans} />
        <AxisMarks p={p} warm />
        {k.capUsd !== null && !scale.limitAbove && <ReferenceLine y={k.capUsd} stroke="var(--bad)" strokeDasharray="6 3" label={{ value: 'cap', position: 'insideTopRight', fill: 'var(--bad)', fontSize: 11 }} />}
        <Area type="stepAfter" dataKey="spend" stroke="var(--accent)" fill="var(--accent)" fillOpacity={0.18} isAnimationActive={false} dot={false} />
        <Tooltip labelFormatter={(t) => when(Number(t))} formatter={(v) => [usd(Number(v)), 'rolling spend']} />
      </AreaChart>
      </InView>
    </figure>
  );
});

const UsePanel = memo(function UsePanel({ title, testId, limit, used, width, unit, p, warm = false }: { title: string; testId: string; limit: number | null; used: Series; width: number; unit: string; p: Axis; warm?: boolean }) {
  const peak = used.reduce((m, x) => Math.max(m, x), 0);
  const rows = useMemo(() => chartRows(p.start, p.bucketMs, { used }), [p.start, p.bucketMs, used]);
  // the peak fills most of the height; a limit far above it is named, not drawn off the chart
  const scale = valueScale(peak, limit);
  const figure = useRef<HTMLElement>(null);
  return (
    <figure className="chart" data-testid={testId} ref={figure}>
      <figcaption>
        <strong>{title}</strong> <span className="muted">peak {unit === 'usd' ? usd(peak) : int(peak)} of {limit === null ? 'unlimited' : unit === 'usd' ? usd(limit) : int(limit)}</span>{' '}
        {limit !== null && peak >= limit && <Chip status="limited" detail="the peak reached the limit: something was held back" />}
        {scale.limitAbove && limit !== null && <span className="muted"> · limit {unit === 'usd' ? usd(limit) : int(limit)} is above the chart</span>} <ChartActions figure={figure} name={title} />
      </figcaption>
      <InView>
      <AreaChart width={width} height={H} data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
        {axisX(p)}
        <YAxis domain={[0, scale.top]} ticks={scale.ticks} interval={0} tickFormatter={(v: number) => tickLabel(v, unit === 'usd' ? 'usd' : 'count')} width={Y_W} stroke="var(--muted)" fontSize={11} label={yTitle(unit === 'usd' ? 'spend ($)' : unit)} />
        <AxisMarks p={p} warm={warm} />
        {limit !== null && !scale.limitAbove && <ReferenceLine y={limit} stroke="var(--bad)" strokeDasharray="6 3" label={{ value: 'limit', position: 'insideTopRight', fill: 'var(--bad)', fontSize: 11 }} />}
        <Area type="stepAfter" dataKey="used" stroke="var(--accent-2)" fill="var(--accent-2)" fillOpacity={0.2} isAnimationActive={false} dot={false} />
        <Tooltip labelFormatter={(t) => when(Number(t))} formatter={(v) => [unit === 'usd' ? usd(Number(v)) : int(Number(v)), 'in use']} />
      </AreaChart>
      </InView>
    </figure>
  );
});

const QueuePanel = memo(function QueuePanel({ queue, p, width }: { queue: Projection['queue']; p: Axis; width: number }) {
  const peak = queue.queued.reduce((m, x) => Math.max(m, x), 0);
  const maxDelay = queue.maxDelayMin.reduce((m, x) => Math.max(m, x), 0);
  const rows = useMemo(() => chartRows(p.start, p.bucketMs, { queued: queue.queued, maxDelayMin: queue.maxDelayMin }), [p.start, p.bucketMs, queue]);
  const qs = valueScale(Math.max(4, peak));
  const ds = valueScale(Math.max(4, maxDelay));
  const figure = useRef<HTMLElement>(null);
  return (
    <figure className="chart" data-testid="queue-chart" ref={figure}>
      <figcaption>
        <strong>Webhook queue</strong>{' '}
        <span className="muted" data-testid="queue-caption">
          {peak > 0 ? <>waiting runs (peak {int(peak)}) and the longest wait of runs admitted (max {duration(maxDelay * 60_000)})</> : 'no webhook run waited under this plan'}
        </span> <ChartActions figure={figure} name="Webhook queue" />
      </figcaption>
      <InView>
      <ComposedChart width={width} height={H} data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
        {axisX(p)}
        <YAxis yAxisId="q" domain={[0, qs.top]} ticks={qs.ticks} interval={0} width={Y_W} stroke="var(--muted)" fontSize={11} tickFormatter={(v: number) => tickLabel(v, 'count')} label={yTitle('runs waiting')} />
        <YAxis yAxisId="d" orientation="right" domain={[0, ds.top]} ticks={ds.ticks} interval={0} width={Y_W} stroke="var(--muted)" fontSize={11} tickFormatter={(v: number) => `${tickLabel(v, 'count')}m`} label={yTitle('longest wait (min)', 'right')} />
        <AxisMarks p={p} warm={false} />
        <Area yAxisId="q" type="stepAfter" dataKey="queued" stroke="var(--warn)" fill="var(--warn)" fillOpacity={0.2} isAnimationActive={false} dot={false} />
        <Line yAxisId="d" type="monotone" dataKey="maxDelayMin" stroke="var(--bad)" strokeWidth={1} isAnimationActive={false} dot={false} />
        <Tooltip labelFormatter={(t) => when(Number(t))} />
      </ComposedChart>
      </InView>
    </figure>
  );
});

const FEW_KEYS = 6;

export function ProjectionPage({ version, onChanged }: { version: number; onChanged: () => void }) {
  const [ref, measured] = useWidth<HTMLDivElement>();
  const width = Math.max(320, measured - 2);
  // Request one point per pixel of plot area (the value axis and the margins take AXIS_PX).
  const points = Math.max(16, Math.min(4096, width - AXIS_PX));
  const [showAll, setShowAll] = useState(false);
  const maxKeys = showAll ? 100_000 : FEW_KEYS;
  const { events: ledgerEvents } = useLedger();
  const empty = ledgerEvents === 0;
  const { data: fetched, error, loading, progress, cancel } = useJob('projection-get', measured && !empty ? { width: points, maxKeys } : null, [version, points, measured > 0, maxKeys, empty]);
  // Charts whose data a change left alone keep their objects, and so are not drawn again.
  const previous = useRef<Projection | null>(null);
  const data = useMemo(() => (fetched ? shareUnchanged(previous.current, fetched) : null), [fetched]);
  useEffect(() => {
    previous.current = data;
  }, [data]);
  const start = data?.start ?? 0;
  const end = data?.end ?? 0;
  const bucketMs = data?.bucketMs ?? 0;
  const pooledWidth = data?.width ?? 0;
  const dataEnd = data?.dataEnd ?? null;
  const drainEnd = data?.drainEnd ?? null;
  const warmUntil = data?.warmUntil ?? 0;
  const axis = useMemo<Axis>(() => ({ start, end, bucketMs, width: pooledWidth, dataEnd, drainEnd, warmUntil }), [start, end, bucketMs, pooledWidth, dataEnd, drainEnd, warmUntil]);
  // Marks the moment new charts were on screen (the frame after the one they were committed in),
  // for the performance panel and the bench; only the latest is kept.
  useLayoutEffect(() => {
    if (!data) return;
    let inner = 0;
    const outer = requestAnimationFrame(() => {
      inner = requestAnimationFrame(() => {
        performance.clearMarks(PROJECTION_PAINTED_MARK);
        performance.mark(PROJECTION_PAINTED_MARK);
      });
    });
    return () => {
      cancelAnimationFrame(outer);
      cancelAnimationFrame(inner);
    };
  }, [data]);

  // The core sends the keys most constrained first.
  const shown = data?.keys ?? [];
  // Charts take the width their data was pooled for, so a resize redraws once, with new data.
  const chartWidth = data ? data.width + AXIS_PX : width;

  return (
    <div className="page" data-testid="projection" ref={ref}>
      <header className="page-head">
        <div>
          <h1>Projection</h1>
          <p className="muted">
            History replayed under the plan.{' '}
            {data && (
              <>
                {int(data.events)} events, {timeSpan(data.start, data.dataEnd)}
                {data.drainEnd !== null && <>, the queue drained by {when(data.drainEnd)}</>}. The first 30 days are shaded: the rolling window is still filling.
              </>
            )}
          </p>
        </div>
        {loading && data && <span className="muted small">Updating…</span>}
      </header>
      {empty && <NoData why="Nothing to project yet: the projection replays the ledger’s usage history under the plan, and this ledger holds none." />}
      {!empty && <UnsavedEditsNote onSaved={onChanged} />}
      {!empty && <PlanControls version={version} onChanged={onChanged} />}
      {!empty && <ProfileDifferences version={version} />}
      {error && <ErrorBox error={error} title="Could not project the plan" />}
      {!data && !error && !empty && (loading ? <ProgressBar done={progress?.done ?? 0} total={progress?.total ?? 0} label="Projecting" onCancel={cancel} /> : <p className="muted">Projection cancelled.</p>)}
      {data && (
        <>
          <section aria-labelledby="pk-h">
            <h2 id="pk-h">API keys</h2>
            {shown.map((k) => (
              <KeyPanel key={k.id} k={k} p={axis} width={chartWidth} />
            ))}
            {data.totalKeys > FEW_KEYS && (
              <button type="button" className="button" onClick={() => setShowAll(!showAll)}>
                {showAll ? 'Show fewer keys' : `Show all ${int(data.totalKeys)} keys`}
              </button>
            )}
          </section>
          <section aria-labelledby="pc-h">
            <h2 id="pc-h">Pool and allowance</h2>
            <UsePanel title="Fair-use pool (runs in 24 h)" testId="pool-chart" limit={data.pool.limit} used={data.pool.used} width={chartWidth} unit="runs" p={axis} />
            <UsePanel title="Message allowance (messages in 24 h)" testId="allowance-chart" limit={data.allowance.limit} used={data.allowance.used} width={chartWidth} unit="messages" p={axis} />
            {data.spendLimits.map((l) => (
              <UsePanel key={l.id} title={`Spend limit "${l.id}" (${WINDOW_WORDS[l.window]})`} testId={`spend-chart-${l.id}`} limit={l.limitUsd} used={l.used} width={chartWidth} unit="usd" p={axis} warm={l.window === 'rolling-30d'} />
            ))}
          </section>
          <section aria-labelledby="pq-h">
            <h2 id="pq-h">Queue backlog and delays</h2>
            <QueuePanel queue={data.queue} p={axis} width={chartWidth} />
          </section>
        </>
      )}
    </div>
  );
}
