import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode, RefObject } from 'react';
import { Area, AreaChart, CartesianGrid, Line, ComposedChart, ReferenceLine, Tooltip, XAxis, YAxis, usePlotArea, useXAxisScale } from 'recharts';
import { useJob } from '../useCall.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import { Chip } from '../components/Chip.tsx';
import { PlanControls } from '../components/PlanControls.tsx';
import { ProfileDifferences } from '../components/ProfileDifferences.tsx';
import { day, int, niceCeil, usd, usdCompact, when } from '../format.ts';
import type { KeyChart, Projection, Series, Span } from '../../../src/api/types.ts';
import { shareUnchanged } from '../../../src/projection/share.ts';
import { chartRows } from '../../../src/projection/rows.ts';
import { PROJECTION_PAINTED_MARK } from '../../../src/projection/marks.ts';

/** What the time axis of every chart is drawn from (kept as one object while it holds). */
type Axis = Pick<Projection, 'start' | 'end' | 'bucketMs' | 'width'>;

const H = 180;

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // A window being dragged wider fires many times; ask for new data once it settles.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ro = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => setW(Math.floor(el.clientWidth)), 60);
    });
    ro.observe(el);
    setW(Math.floor(el.clientWidth));
    return () => {
      clearTimeout(timer);
      ro.disconnect();
    };
  }, []);
  return [ref, w];
}

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
      {seen ? children : null}
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

const axisX = (p: Axis) => (
  <XAxis dataKey="t" type="number" scale="time" domain={[p.start, p.end]} ticks={dayTicks(p.start, p.end, p.width)} interval={0} tickFormatter={day} stroke="var(--muted)" fontSize={11} />
);

const KeyPanel = memo(function KeyPanel({ k, p, width }: { k: KeyChart; p: Axis; width: number }) {
  const spans = mergeSpans(k.cappedSpans, p.bucketMs);
  const top = niceCeil(Math.max(k.peakUsd, k.capUsd ?? 0) * 1.05);
  const rows = useMemo(() => chartRows(p.start, p.bucketMs, { spend: k.spend }), [p.start, p.bucketMs, k.spend]);
  return (
    <figure className="chart" data-testid={`key-chart-${k.id}`}>
      <figcaption>
        <strong>{k.name}</strong> <span className="muted">rolling spend {k.capUsd !== null ? `against its ${usd(k.capUsd)} cap` : '(no cap)'} · peak {usd(k.peakUsd)}</span>{' '}
        {spans.length > 0 && <Chip status="limited" label={`Capped out ${spans.length}×`} />}
      </figcaption>
      <InView>
      <AreaChart width={width} height={H} data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
        {axisX(p)}
        <YAxis domain={[0, top]} ticks={[0, top / 4, top / 2, (3 * top) / 4, top]} interval={0} tickFormatter={(v: number) => usdCompact(v)} width={56} stroke="var(--muted)" fontSize={11} />
        <CappedBands spans={spans} />
        {k.capUsd !== null && <ReferenceLine y={k.capUsd} stroke="var(--bad)" strokeDasharray="6 3" label={{ value: 'cap', position: 'insideTopRight', fill: 'var(--bad)', fontSize: 11 }} />}
        <Area type="stepAfter" dataKey="spend" stroke="var(--accent)" fill="var(--accent)" fillOpacity={0.18} isAnimationActive={false} dot={false} />
        <Tooltip labelFormatter={(t) => when(Number(t))} formatter={(v) => [usd(Number(v)), 'rolling spend']} />
      </AreaChart>
      </InView>
    </figure>
  );
});

const UsePanel = memo(function UsePanel({ title, testId, limit, used, width, unit, p }: { title: string; testId: string; limit: number | null; used: Series; width: number; unit: string; p: Axis }) {
  const peak = used.reduce((m, x) => Math.max(m, x), 0);
  const rows = useMemo(() => chartRows(p.start, p.bucketMs, { used }), [p.start, p.bucketMs, used]);
  const top = niceCeil(Math.max(peak, limit ?? 0) * 1.05);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong> <span className="muted">peak {unit === 'usd' ? usd(peak) : int(peak)} of {limit === null ? 'unlimited' : unit === 'usd' ? usd(limit) : int(limit)}</span>{' '}
        {limit !== null && peak >= limit && <Chip status="limited" label="At its limit" />}
      </figcaption>
      <InView>
      <AreaChart width={width} height={H} data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
        {axisX(p)}
        <YAxis domain={[0, top]} ticks={[0, top / 4, top / 2, (3 * top) / 4, top]} interval={0} tickFormatter={(v: number) => (unit === 'usd' ? usdCompact(v) : int(v))} width={56} stroke="var(--muted)" fontSize={11} />
        {limit !== null && <ReferenceLine y={limit} stroke="var(--bad)" strokeDasharray="6 3" label={{ value: 'limit', position: 'insideTopRight', fill: 'var(--bad)', fontSize: 11 }} />}
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
  const qTop = niceCeil(Math.max(4, peak) * 1.05);
  const dTop = niceCeil(Math.max(4, maxDelay) * 1.05);
  return (
    <figure className="chart" data-testid="queue-chart">
      <figcaption>
        <strong>Webhook queue</strong> <span className="muted">waiting runs (peak {int(peak)}) and the longest wait of runs admitted (max {int(Math.round(maxDelay))} min)</span>
      </figcaption>
      <InView>
      <ComposedChart width={width} height={H} data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
        {axisX(p)}
        <YAxis yAxisId="q" domain={[0, qTop]} ticks={[0, qTop / 4, qTop / 2, (3 * qTop) / 4, qTop]} interval={0} width={56} stroke="var(--muted)" fontSize={11} />
        <YAxis yAxisId="d" orientation="right" domain={[0, dTop]} ticks={[0, dTop / 4, dTop / 2, (3 * dTop) / 4, dTop]} interval={0} width={56} stroke="var(--muted)" fontSize={11} tickFormatter={(v: number) => `${int(v)}m`} />
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
  const [ref, measured] = useWidth();
  const width = Math.max(320, measured - 2);
  // Request one point per pixel of plot area (the y axis takes ~80 px).
  const points = Math.max(16, Math.min(4096, width - 80));
  const [showAll, setShowAll] = useState(false);
  const maxKeys = showAll ? 100_000 : FEW_KEYS;
  const { data: fetched, error, loading, progress } = useJob('projection-get', measured ? { width: points, maxKeys } : null, [version, points, measured > 0, maxKeys]);
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
  const axis = useMemo<Axis>(() => ({ start, end, bucketMs, width: pooledWidth }), [start, end, bucketMs, pooledWidth]);
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
  const chartWidth = data ? data.width + 80 : width;

  return (
    <div className="page" data-testid="projection" ref={ref}>
      <header className="page-head">
        <div>
          <h1>Projection</h1>
          <p className="muted">
            History replayed under the plan.{' '}
            {data && (
              <>
                {int(data.events)} events, {when(data.start)} → {when(data.end)}, computed in {int(data.computeMs)} ms.
              </>
            )}
          </p>
        </div>
        {loading && data && <span className="muted small">Updating…</span>}
      </header>
      <PlanControls version={version} onChanged={onChanged} />
      <ProfileDifferences version={version} />
      {error && <ErrorBox error={error} title="Could not project the plan" />}
      {!data && !error && (progress ? <ProgressBar done={progress.done} total={progress.total} label="Simulating" /> : <p className="muted">Simulating…</p>)}
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
              <UsePanel key={l.id} title={`Spend limit "${l.id}"`} testId={`spend-chart-${l.id}`} limit={l.limitUsd} used={l.used} width={chartWidth} unit="usd" p={axis} />
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
