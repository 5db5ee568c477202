/**
 * The app's speed, measured in Chromium through the web host: how soon the window is usable on
 * the demo and on a 1M-event ledger, how soon the projection over 1M events is redrawn after a
 * plan change on the Projection page, and after an edit on the modeling screens (Workspace, API
 * keys, Triggers), which go through the same compute worker.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { Benchmark, BenchContext, Figure } from './harness.ts';
import { ensureBenchData } from './generate.ts';
import { ensureRenderer } from '../src/host/build.ts';
import { startHeadroomHost } from '../src/host/start.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/harness.ts';
import type { CallContext } from '../src/api/handlers.ts';
import { MODEL_VIEW_PAINTED_MARK, PROJECTION_PAINTED_MARK } from '../src/projection/marks.ts';
import { cachePath } from '../src/api/events-cache.ts';
import { snapshotPath } from '../src/ledger/overview-snapshot-file.ts';
import { LedgerStore, importWorkerUrl } from '../src/api/ledger-store.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { ModelProjectAnswer, ModelViewHead } from '../src/modeling/types.ts';
import { isDelta } from '../src/modeling/view-delta.ts';

const ctx = (): CallContext => ({ signal: new AbortController().signal, progress: () => {} });

async function browser(dir: string, width = 1360): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: { width, height: 900 },
    timeout: 30_000,
    // Playwright's waitForFunction evaluates its predicate as a string, which the app's CSP forbids.
    bypassCSP: true,
  });
}

const interactive: Benchmark = {
  name: 'ui: window interactive on the demo (web host, Chromium)',
  group: 'ui',
  async run(b: BenchContext): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-ui-'));
    try {
      const staticDir = await ensureRenderer(b.log);
      const userDataDir = join(dir, 'user-data');
      // First run: the demo is generated and stored in the ledger.
      let t = performance.now();
      const first = await startHeadroomHost({ userDataDir, staticDir });
      await first.service.handlers['workspace-overview']({}, ctx());
      const firstRunMs = performance.now() - t;
      await first.close();

      const context = await browser(dir);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto('about:blank');
        // Launch: the host starts over the stored demo, the page loads and shows the overview.
        t = performance.now();
        const running = await startHeadroomHost({ userDataDir, staticDir });
        try {
          const hostMs = performance.now() - t;
          await page.goto(running.host.url);
          await page.getByTestId('keys-table').waitFor({ timeout: 60_000 });
          await page.getByRole('button', { name: /^Import/ }).click({ timeout: 5000 });
          await page.getByTestId('import').waitFor();
          const totalMs = performance.now() - t;
          return [
            { label: 'launch to interactive overview', value: totalMs, unit: 'ms', max: 1500, note: `host ${Math.round(hostMs)} ms + page, overview and a click` },
            { label: 'first run (generate and store the demo)', value: firstRunMs, unit: 'ms' },
          ];
        } finally {
          await running.close();
        }
      } finally {
        await context.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const redraw: Benchmark = {
  name: 'ui: projection over 1M events redrawn after a plan change',
  group: 'ui',
  async run(b: BenchContext): Promise<Figure[]> {
    const figures: Figure[] = [];
    const { ledgerPath, planPath } = await ledger1m(b, figures);
    const staticDir = await ensureRenderer(b.log);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-ui-'));
    mkdirSync(join(dir, 'user-data'), { recursive: true });
    const running = await startHeadroomHost({ userDataDir: join(dir, 'user-data'), staticDir, ledgerPath });
    try {
      const h = running.service.handlers;
      await h['plan-save']({ plan: JSON.parse(readFileSync(planPath, 'utf8')) as unknown }, ctx());
      let t = performance.now();
      const p = await h['projection-get']({ width: 1200, maxKeys: 6 }, ctx());
      figures.push({ label: 'projection-get, 1M events (worker, first)', value: performance.now() - t, unit: 'ms', note: `engine + prep ${p.computeMs} ms` });
      // the seats the history needs: its busiest 24 h of messages and fair-use runs
      const neededSeats = Math.ceil(Math.max(...p.allowance.used) / 100);
      const { plan } = await h['plan-get']({}, ctx());
      const drop = { ...plan, enforcement: { ...plan.enforcement, webhookWhenLimited: 'drop' as const } };
      // the compute worker starts its part thread a second after its first result
      await new Promise((r) => setTimeout(r, 1500));
      await h['plan-save']({ plan: drop }, ctx());
      t = performance.now();
      const p2 = await h['projection-get']({ width: 1200, maxKeys: 6 }, ctx());
      figures.push({
        label: 'projection-get after a change of every event (worker)',
        value: performance.now() - t,
        unit: 'ms',
        note: `engine + prep ${p2.computeMs} ms, ${p2.computeThreads} thread${p2.computeThreads === 1 ? '' : 's'}`,
      });
      await h['plan-save']({ plan }, ctx());
      t = performance.now();
      await h['projection-get']({ width: 1000, maxKeys: 6 }, ctx());
      figures.push({ label: 'projection-get at a new width (re-pooled, no simulation)', value: performance.now() - t, unit: 'ms' });

      const context = await browser(dir);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(running.host.url);
        await page.getByRole('button', { name: /^Projection/ }).click();
        const painted = `(performance.getEntriesByName(${JSON.stringify(PROJECTION_PAINTED_MARK)})[0]?.startTime ?? -1)`;
        await page.waitForFunction(`${painted} >= 0`, undefined, { timeout: 180_000 });
        const seats = page.getByLabel('Seats');
        /**
         * Milliseconds from `act` (a plan change) until the frame that shows the new projection:
         * the page marks it (performance.mark) from its second animation frame after the commit.
         */
        const redrawAfter = async (act: () => Promise<void>): Promise<number> => {
          await page.evaluate('window.__t0 = performance.now()');
          await act();
          await page.waitForFunction(`${painted} > window.__t0`, undefined, { timeout: 120_000 });
          return page.evaluate<number>(`${painted} - window.__t0`);
        };
        const setSeats = async (n: number): Promise<number> => {
          await seats.fill(String(n));
          return redrawAfter(() => seats.blur());
        };
        const median = (label: string, note: string, times: number[]): Figure => {
          const sorted = [...times].sort((a, c) => a - c);
          return { label, value: sorted[1] ?? 0, unit: 'ms', max: 300, note: `${note}; runs ${times.map((x) => Math.round(x)).join(', ')} ms` };
        };
        const start = Number(await seats.inputValue());
        // Three kinds of change, by what the engine has to do again (src/engine/parts.ts).
        const roomy: number[] = [];
        for (let i = 1; i <= 3; i++) roomy.push(await setSeats(start + i));
        figures.push(median('seats changed, allowance never refusing (median of 3)', 'no event re-simulated', roomy));
        // About 60 % of the seats the history needs: every seat counts.
        const tight = Math.max(1, Math.round(0.6 * neededSeats));
        await setSeats(tight);
        const binding: number[] = [];
        for (let i = 1; i <= 3; i++) binding.push(await setSeats(tight + i));
        figures.push(median('seats changed, allowance refusing (median of 3)', `${tight + 1}–${tight + 3} seats; the allowance part re-simulated`, binding));
        // Queue or drop changes every trigger's fate. Before each, other seats and the other cap
        // check (not timed), so that neither part is one kept from before.
        const webhooks = page.getByLabel('Webhooks when limited');
        const capCheck = page.getByLabel('Key cap check');
        const all: number[] = [];
        for (let i = 1; i <= 3; i++) {
          await setSeats(tight + 10 + i);
          await redrawAfter(async () => void (await capCheck.selectOption(i % 2 === 1 ? 'spent_plus_cost' : 'spent')));
          all.push(await redrawAfter(async () => void (await webhooks.selectOption(i % 2 === 1 ? 'drop' : 'queue'))));
        }
        figures.push(median('webhooks queue ↔ drop (median of 3)', 'every event re-simulated', all));
        const resize = await redrawAfter(() => page.setViewportSize({ width: 1100, height: 900 }));
        figures.push({ label: 'window resized to projection redrawn', value: resize, unit: 'ms', max: 300 });
      } finally {
        await context.close();
      }
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};

/**
 * The 1M-event ledger the 1M benchmarks share, imported once with its plan. Through the store, not
 * the web host: the host takes files only as uploads.
 */
async function ledger1m(b: BenchContext, figures: Figure[]): Promise<{ ledgerPath: string; planPath: string }> {
  const data = ensureBenchData('1m', b.log);
  const ledgerPath = join(b.root, 'bench', 'data', `ui-1m-${data.events}.sqlite`);
  const store = new LedgerStore(ledgerPath, importWorkerUrl());
  try {
    if (store.eventCount() === 0) {
      const t = performance.now();
      const r = await store.importFile({ path: data.eventsPath }, { format: 'events', skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal });
      figures.push({ label: 'import the 1M events into the ledger (once)', value: performance.now() - t, unit: 'ms', note: `${r.imported} rows` });
    }
    await store.savePlan(validatePlan(JSON.parse(readFileSync(data.planPath, 'utf8')) as unknown, 'plan'));
  } finally {
    store.close();
  }
  return { ledgerPath, planPath: data.planPath };
}

const median3 = (label: string, note: string, max: number, times: number[]): Figure => {
  const sorted = [...times].sort((a, c) => a - c);
  return { label, value: sorted[Math.floor(sorted.length / 2)] ?? 0, unit: 'ms', max, note: `${note}; runs ${times.map((x) => Math.round(x)).join(', ')} ms` };
};

const openedInteractive: Benchmark = {
  name: 'ui: overview of a freshly opened 1M-event ledger interactive (web host, Chromium)',
  group: 'ui',
  async run(b: BenchContext): Promise<Figure[]> {
    const figures: Figure[] = [];
    const { ledgerPath } = await ledger1m(b, figures);
    const staticDir = await ensureRenderer(b.log);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-ui-'));
    try {
      const context = await browser(dir);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const stages: string[] = [];
        const live: number[] = [];
        /**
         * From the host's start to the overview's keys on screen and a click answered (what the
         * measure has always been). The first overview may be the one stored at the last session's
         * end (src/ledger/overview-snapshot-file.ts); then, not timed in that figure, back to Overview until
         * the live answer is on screen (the "from the last session" note gone).
         */
        const open = async (ledger = ledgerPath): Promise<number> => {
          await page.goto('about:blank');
          const t = performance.now();
          const at = (): number => Math.round(performance.now() - t);
          const running = await startHeadroomHost({ userDataDir: join(dir, 'user-data'), staticDir, ledgerPath: ledger });
          try {
            const hostAt = at();
            const answered = page
              .waitForResponse((r) => r.url().endsWith('/api/workspace-overview'), { timeout: 120_000 })
              .then(async (r) => {
                const done = at();
                const body = await r.body();
                const stored = (JSON.parse(body.toString('utf8')) as { value?: { stored?: unknown } }).value?.stored !== undefined;
                return { at: done, bytes: body.length, stored };
              });
            await page.goto(running.host.url);
            const pageAt = at();
            await page.getByTestId('keys-table').waitFor({ timeout: 120_000 });
            const shownAt = at();
            await page.getByRole('button', { name: /^Import/ }).click({ timeout: 5000 });
            await page.getByTestId('import').waitFor();
            const clickAt = at();
            const total = performance.now() - t;
            const overview = await answered;
            await page.getByRole('button', { name: /^Overview/ }).click();
            await page.getByTestId('keys-table').waitFor({ timeout: 120_000 });
            await page.getByTestId('overview-stored').waitFor({ state: 'detached', timeout: 120_000 });
            live.push(at());
            stages.push(
              `host ${hostAt}, page ${pageAt}, overview answered ${overview.at} (${overview.stored ? 'stored' : 'live'}, ${Math.round(overview.bytes / 1024)} KiB), keys shown ${shownAt}, click ${clickAt} ms; live overview on screen ${live.at(-1)} ms`,
            );
            return total;
          } finally {
            await running.close();
          }
        };
        // the first open after an import or an app update reads every row from SQLite, and has no stored overview
        rmSync(cachePath(ledgerPath), { force: true });
        rmSync(snapshotPath(ledgerPath), { force: true });
        figures.push({ label: 'first open of the 1M ledger (events read from SQLite) to interactive overview', value: await open(), unit: 'ms', note: stages.at(-1) ?? '' });
        live.length = 0;
        // An admin's `headroom import` from the terminal, then the app: a real command-line import
        // (a child process) of a few rows into a copy of the ledger. The ledger the app has shown
        // (its stored overview copied with it): the import writes the events cache and the
        // overview of the new events (src/cli/stored-overview.ts), and the open shows that one.
        const afterCli: number[] = [];
        const cliMs: number[] = [];
        const snapshot = snapshotPath(ledgerPath);
        if (!existsSync(snapshot)) throw new Error('the first open stored no overview beside the ledger');
        for (let i = 0; i < 3; i++) {
          const copy = join(dir, `cli-imported-${i}.sqlite`);
          copyLedger(ledgerPath, copy);
          copyFileSync(snapshot, snapshotPath(copy));
          const before = readFileSync(snapshotPath(copy), 'utf8');
          cliMs.push(cliImport(b.root, dir, copy));
          if (!existsSync(cachePath(copy)) || readFileSync(snapshotPath(copy), 'utf8') === before) throw new Error('the command-line import left no events cache, or did not store the overview');
          afterCli.push(await open(copy));
        }
        figures.push(
          median3(
            'first open after a command-line import into a ledger the app has shown (events cache and overview stored by the import) to interactive overview (median of 3)',
            `each a new copy of the 1M ledger and its stored overview, and a real \`headroom import\` of 3 rows into it first (${cliMs.map(Math.round).join(', ')} ms, not counted); last: ${stages.at(-1) ?? ''}`,
            1500,
            afterCli,
          ),
        );
        // the same into a ledger the app has never shown: no overview stored, the open simulates first
        const unshown: number[] = [];
        const unshownCli: number[] = [];
        for (let i = 0; i < 3; i++) {
          const copy = join(dir, `cli-unshown-${i}.sqlite`);
          copyLedger(ledgerPath, copy);
          unshownCli.push(cliImport(b.root, dir, copy));
          if (!existsSync(cachePath(copy)) || existsSync(snapshotPath(copy))) throw new Error('the command-line import left no events cache (or stored an overview for a ledger never shown)');
          unshown.push(await open(copy));
        }
        const { max: _firstOpen, ...unshownFigure } = median3(
          '…into a ledger the app has never shown (events cache by the import, overview simulated at the open) (median of 3)',
          `no target: the first open of that ledger; the import ${unshownCli.map(Math.round).join(', ')} ms; last: ${stages.at(-1) ?? ''}`,
          0,
          unshown,
        );
        figures.push(unshownFigure);
        live.length = 0;
        const again: number[] = [];
        for (let i = 0; i < 3; i++) again.push(await open());
        figures.push(median3('opening the 1M ledger again (events cache) to interactive overview (median of 3)', `host start, page, overview and a click; last: ${stages.at(-1) ?? ''}`, 1500, again));
        // no target: what the stored overview stands in for, and how long it stands
        const { max: _noTarget, ...liveFigure } = median3('…and the live overview on screen (median of 3)', 'after the click, back on Overview until the stored note is gone', 0, live);
        figures.push(liveFigure);
      } finally {
        await context.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};

/** A copy of a closed ledger: its file, and its -wal when one is left. */
function copyLedger(from: string, to: string): void {
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}

/** `headroom import` of three new API requests into `db`, as a child process, as an admin runs it; its wall ms. */
function cliImport(root: string, dir: string, db: string): number {
  const csv = join(dir, 'cli-rows.csv');
  writeFileSync(csv, 'timestamp,type,subject,cost_usd\n2026-10-01T09:00:00Z,api,k_cli_bench,0.25\n2026-10-01T10:00:00Z,api,k_cli_bench,0.5\n2026-10-01T11:00:00Z,api,k_cli_bench,0.75\n');
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'headroom.js'), 'import', csv, '--db', db, '--json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`headroom import exited with ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return performance.now() - t;
}

/** What the bench keeps of each model-project answer: the head (a delta's, or the whole view's) and its size. */
interface Answered {
  head: ModelViewHead;
  bytes: number;
}

/** The renderer's marks of an edit's answer and commit (renderer/src/modeling/store.ts). */
const ANSWERED_MARK = 'headroom:model-view-answered';
const COMMITTED_MARK = 'headroom:model-view-committed';
/** Where an edit's time went, ms from the page's change event. */
interface Stages {
  /**
   * the value was typed (the field's first `input` event; a select has none), before the change
   * event: a number being typed is projected from there (renderer/src/modeling/store.ts)
   */
  typed: number;
  /** the request left the page (resource timing's requestStart) */
  sent: number;
  /** its answer fully received */
  received: number;
  /** parsed and handed to the store */
  answered: number;
  /** React committed it */
  committed: number;
  /** the frame after the commit painted */
  painted: number;
  /**
   * Hops, ms (not from the change event): the web host's `call` (its Server-Timing header: the
   * service, the compute worker and back), of which `engine` the worker's engine + view
   * (computeMs); `http` is received − sent − call, the HTTP transit both ways with the JSON read
   * and written.
   */
  call: number;
  engine: number;
  http: number;
}

/**
 * Milliseconds from `act` (an edit on a modeling screen) until the frame that shows its projection
 * (the page marks it once the frame after the commit is painted), the same from the page's own
 * `change` event (without the automation's round trips) with the stages in between, and what the
 * worker simulated for it.
 */
async function paintedAfter(page: Page, views: Answered[], act: () => Promise<void>): Promise<{ ms: number; stages: Stages; view: Answered | null }> {
  const painted = `(performance.getEntriesByName(${JSON.stringify(MODEL_VIEW_PAINTED_MARK)})[0]?.startTime ?? -1)`;
  views.length = 0;
  await page.evaluate(
    `performance.clearResourceTimings(); window.__t0 = performance.now(); window.__tc = NaN; window.__ti = NaN; document.addEventListener('change', () => { window.__tc = performance.now(); }, { capture: true, once: true }); document.addEventListener('input', () => { window.__ti = performance.now(); }, { capture: true, once: true })`,
  );
  await act();
  await page.waitForFunction(`${painted} > window.__t0`, undefined, { timeout: 120_000 });
  const [ms, stages] = await page.evaluate<[number, Stages]>(`(() => {
    const tc = window.__tc;
    const at = (name) => (performance.getEntriesByName(name)[0]?.startTime ?? NaN) - tc;
    const r = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/model-project')).at(-1);
    const call = r?.serverTiming?.find((t) => t.name === 'call')?.duration ?? NaN;
    return [${painted} - window.__t0, { typed: window.__ti - tc, sent: r ? r.requestStart - tc : NaN, received: r ? r.responseEnd - tc : NaN, answered: at(${JSON.stringify(ANSWERED_MARK)}), committed: at(${JSON.stringify(COMMITTED_MARK)}), painted: at(${JSON.stringify(MODEL_VIEW_PAINTED_MARK)}), call, engine: NaN, http: r ? r.responseEnd - r.requestStart - call : NaN }];
  })()`);
  const view = views.at(-1) ?? null;
  stages.engine = view?.head.computeMs ?? Number.NaN;
  return { ms, stages, view };
}

const whatRan = (a: Answered | null): string => {
  if (a === null) return 'no answer seen';
  const v = a.head;
  return `${v.simulated.length ? v.simulated.join('+') : 'nothing'} simulated, engine + view ${v.computeMs} ms, ${v.computeThreads} thread${v.computeThreads === 1 ? '' : 's'}, answer ${(a.bytes / 1024).toFixed(1)} KiB`;
};

/** Where the time between the request sent and its answer received went (Stages' hops). */
const hopsNote = (pick: (f: (x: Stages) => number) => number): string =>
  `host call ${pick((x) => x.call)} (engine + view ${pick((x) => x.engine)}, service ↔ worker ${pick((x) => x.call - x.engine)}), HTTP ${pick((x) => x.http)} ms`;

/** The medians of the same edits' stages, from the page's change event, for the figure's note. */
const fromChangeNote = (stages: Stages[]): string => {
  const med = (pick: (x: Stages) => number): number => {
    const sorted = stages.map(pick).sort((a, c) => a - c);
    return Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN);
  };
  const typed = med((x) => x.typed);
  return `from the page's change event (medians): ${Number.isNaN(typed) ? '' : `value typed ${typed} (painted ${med((x) => x.painted - x.typed)} ms after it), `}request sent ${med((x) => x.sent)}, answer received ${med((x) => x.received)}, parsed ${med((x) => x.answered)}, committed ${med((x) => x.committed)}, painted ${med((x) => x.painted)} ms; hops (medians): ${hopsNote(med)}`;
};

/**
 * The issue's measure, "from the input's change to the projection painted": the median from the
 * page's change event to the painted mark. The figure timed from before the automation's fill and
 * blur (its CDP round trips, not the app's work) stays beside it, without a target.
 */
const fromChange = (label: string, max: number, stages: Stages[]): Figure => {
  const painted = stages.map((x) => x.painted).sort((a, c) => a - c);
  return { label, value: painted[Math.floor(painted.length / 2)] ?? Number.NaN, unit: 'ms', max, note: `runs ${stages.map((x) => Math.round(x.painted)).join(', ')} ms; engine + view ${stages.map((x) => Math.round(x.engine)).join(', ')}, host call ${stages.map((x) => Math.round(x.call)).join(', ')} ms` };
};
const untargeted = ({ max: _max, ...f }: Figure): Figure => f;

const modelingEdits: Benchmark = {
  name: 'ui: modeling screens over 1M events, an edit to its projection painted (web host, Chromium)',
  group: 'ui',
  async run(b: BenchContext): Promise<Figure[]> {
    const figures: Figure[] = [];
    const { ledgerPath, planPath } = await ledger1m(b, figures);
    const staticDir = await ensureRenderer(b.log);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-ui-'));
    const running = await startHeadroomHost({ userDataDir: join(dir, 'user-data'), staticDir, ledgerPath });
    try {
      const h = running.service.handlers;
      await h['plan-save']({ plan: JSON.parse(readFileSync(planPath, 'utf8')) as unknown }, ctx());
      const p = await h['projection-get']({ width: 1200, maxKeys: 6 }, ctx());
      // the seats the history needs: its busiest 24 h of messages and fair-use runs
      const neededSeats = Math.ceil(p.allowance.used.reduce((a, c) => Math.max(a, c), 0) / 100);
      // the compute worker starts its part thread a second after its first result
      await new Promise((r) => setTimeout(r, 1500));

      const context = await browser(dir);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const views: Answered[] = [];
        page.on('response', (res) => {
          if (!res.url().endsWith('/api/model-project')) return;
          res.body().then(
            (raw) => {
              const body = JSON.parse(raw.toString('utf8')) as { ok: boolean; value?: ModelProjectAnswer };
              if (body.ok && body.value) views.push({ head: isDelta(body.value) ? body.value.head : body.value, bytes: raw.length });
            },
            () => {},
          );
        });
        await page.goto(running.host.url);
        await page.getByTestId('keys-table').waitFor({ timeout: 120_000 });
        const first = page.waitForFunction(`(performance.getEntriesByName(${JSON.stringify(MODEL_VIEW_PAINTED_MARK)})[0]?.startTime ?? -1) >= 0`, undefined, { timeout: 180_000 });
        await page.getByRole('button', { name: /^API keys/ }).click();
        await first;
        // an admin reads the page before typing a cap: the window warms the edit paths meanwhile (store.ts)
        await page.waitForTimeout(1000);

        // One key's cap: the spend part.
        const firstCap = page.getByLabel(/^Cap of .* in dollars/).first();
        // by its name: the table may reorder once the key's figures change
        const cap = page.getByLabel((await firstCap.getAttribute('aria-label')) ?? '', { exact: true });
        // values the cap does not have (the same value is no edit)
        const capNow = Number(await cap.inputValue()) || 10;
        const caps: number[] = [];
        let capRun: Answered | null = null;
        const capsFromChange: Stages[] = [];
        // the first edit after opening (the window warmed the edit paths once its overview was painted), then three more
        const firstEdit = await paintedAfter(page, views, async () => {
          await cap.fill(String(capNow + 0.5));
          await cap.blur();
        });
        for (let i = 1; i <= 3; i++) {
          const r = await paintedAfter(page, views, async () => {
            await cap.fill(String(Math.round(capNow * (1 + i / 10)) + i));
            await cap.blur();
          });
          caps.push(r.ms);
          capsFromChange.push(r.stages);
          capRun = r.view;
        }
        // the issue's 150 ms, less what the edit's path around the engine no longer costs
        figures.push(fromChange("API keys: one key cap, the input's change to projection painted (median of 3)", 130, capsFromChange));
        figures.push(untargeted(median3('…the same from before the automation typed it (median of 3)', `${whatRan(capRun)}; ${fromChangeNote(capsFromChange)}`, 150, caps)));
        const later = capsFromChange.map((x) => x.painted).sort((a, c) => a - c)[1] ?? Number.NaN;
        figures.push({
          label: "API keys: the first cap edit after opening, the input's change to projection painted",
          value: firstEdit.stages.painted,
          unit: 'ms',
          // the issue's aim: the first edit within 1.5 times the later ones
          max: Math.max(1, Math.round(1.5 * later)),
          note: `target 1.5 × the later edits' median (${Math.round(later)} ms); ${whatRan(firstEdit.view)}; request sent ${Math.round(firstEdit.stages.sent)}, answer received ${Math.round(firstEdit.stages.received)} ms; hops: ${hopsNote((f) => Math.round(f(firstEdit.stages)))}`,
        });

        // Seats: the allowance part; about 60 % of the seats the history needs, so every seat counts.
        await page.getByRole('button', { name: /^Workspace/ }).click();
        const seats = page.getByLabel('Active seats');
        const tight = Math.max(1, Math.round(0.6 * neededSeats));
        const setSeats = (n: number) =>
          paintedAfter(page, views, async () => {
            await seats.fill(String(n));
            await seats.blur();
          });
        // not timed: the seats the timed edits start from (the same value would be no edit)
        if (Number(await seats.inputValue()) !== tight) await setSeats(tight);
        const seatTimes: number[] = [];
        let seatRun: Answered | null = null;
        const seatsFromChange: Stages[] = [];
        for (let i = 1; i <= 3; i++) {
          const r = await setSeats(tight + i);
          seatTimes.push(r.ms);
          seatsFromChange.push(r.stages);
          seatRun = r.view;
        }
        figures.push(fromChange("Workspace: seats one step at a time, allowance refusing, the input's change to projection painted (median of 3)", 150, seatsFromChange));
        figures.push(
          untargeted(
            median3(
              '…the same from before the automation typed it (median of 3)',
              `${tight + 1}–${tight + 3} seats, each typed as soon as the last was painted (the next step simulated ahead meanwhile, joined while under way); ${whatRan(seatRun)}; ${fromChangeNote(seatsFromChange)}`,
              150,
              seatTimes,
            ),
          ),
        );
        // Seats typed far from the last count: nothing simulated ahead answers, the allowance part
        // is simulated while the edit waits (and what was under way ahead is stopped).
        const jumps: Stages[] = [];
        let jumpRun: Answered | null = null;
        for (const n of [tight + 9, tight - 5, tight + 15]) {
          const r = await setSeats(n);
          jumps.push(r.stages);
          jumpRun = r.view;
        }
        figures.push(fromChange("Workspace: seats typed to a count far from the last (a jump), allowance refusing, the input's change to projection painted (median of 3)", 150, jumps));
        figures.push(untargeted({ ...fromChange('…where that time went (medians)', 0, jumps), note: `${tight + 9}, ${tight - 5}, ${tight + 15} seats; ${whatRan(jumpRun)}; ${fromChangeNote(jumps)}` }));

        // A trigger's mode: fair use ↔ programmatic moves its runs between the parts.
        await page.getByRole('button', { name: /^Triggers/ }).click();
        const modes = page.locator('select[aria-label^="Mode of "]:not([disabled])').filter({ has: page.locator('option[value="programmatic"]') });
        await modes.first().waitFor({ timeout: 60_000 });
        // by its name: the table may reorder once the trigger's figures change
        const mode = page.getByLabel((await modes.first().getAttribute('aria-label')) ?? '', { exact: true });
        const start = await mode.inputValue();
        const other = start === 'programmatic' ? 'fair_use' : 'programmatic';
        const modeTimes: number[] = [];
        let modeRun: Answered | null = null;
        const modesFromChange: Stages[] = [];
        let touchedAll = false;
        let firstMode: Awaited<ReturnType<typeof paintedAfter>> | null = null;
        for (let i = 1; i <= 5; i++) {
          const r = await paintedAfter(page, views, async () => void (await mode.selectOption(i % 2 === 1 ? other : start)));
          firstMode ??= r;
          modeTimes.push(r.ms);
          modesFromChange.push(r.stages);
          modeRun = r.view;
          touchedAll ||= r.view === null || r.view.head.simulated.includes('whole') || r.view.head.simulated.length === 2;
        }
        // nothing or one part simulated again: the issue's 150 ms, and 50 ms when nothing is (what the edit path costs)
        const modeTarget = touchedAll ? 300 : (modeRun?.head.simulated.length ?? 1) === 0 ? 50 : 150;
        figures.push(fromChange("Triggers: a trigger mode, the input's change to projection painted (median of 5)", modeTarget, modesFromChange));
        figures.push(untargeted(median3('…the same from before the automation chose it (median of 5)', `${start} ↔ ${other}; ${whatRan(modeRun)}; ${fromChangeNote(modesFromChange)}`, 300, modeTimes)));
        // the first is the one the kept parts cannot answer (the later ones switch between kept results)
        if (firstMode !== null) {
          const f = firstMode.stages;
          figures.push({
            label: "Triggers: the first trigger mode edit after opening, the input's change to projection painted",
            value: f.painted,
            unit: 'ms',
            max: 300,
            note: `${whatRan(firstMode.view)}; request sent ${Math.round(f.sent)}, answer received ${Math.round(f.received)} ms; hops: ${hopsNote((g) => Math.round(g(f)))}`,
          });
        }
      } finally {
        await context.close();
      }
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};

export const benchmarks: Benchmark[] = existsSync(CHROMIUM) ? [interactive, openedInteractive, redraw, modelingEdits] : [];
