import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { validatePlan } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import type { ImportSource } from './schemas.ts';
import { ApiFailure } from './errors.ts';
import type { ComputeClient } from './compute.ts';
import type { ApiHandlers } from './handlers.ts';
import { JobRegistry } from './jobs.ts';
import type { CallContext } from './call-context.ts';
import { API_CALLS } from './domains/index.ts';
import type { AnyApiCall } from './domains/define.ts';
import type { ServiceState } from './domains/state.ts';
import { createModelingHandlers } from './modeling.ts';
import { planHash, readSnapshot, readStoredSpan, writeSnapshot } from '../ledger/overview-snapshot-file.ts';
import { readCachedSpan } from './events-cache.ts';
import type { SnapshotKey } from '../ledger/overview-snapshot-file.ts';
import type { DemoFactory, OpenStore, WorkspaceStore } from './store.ts';
import type { LedgerInfo, Overview } from './types.ts';
import type { OverviewBody } from '../projection/overview.ts';

export interface ServiceOptions {
  /** the app's own folder: the default ledger and the recent list live here */
  userDataDir: string;
  openStore: OpenStore;
  compute: ComputeClient;
  /** fills a new default ledger with the demo workspace; null when no generator is available */
  demo: DemoFactory | null;
  /** open this ledger instead of the default one */
  ledgerPath?: string;
  /**
   * Files the process itself was handed: the web host's uploads (src/host/uploads.ts), the desktop
   * app's dialogs and drops (electron/main/granted-files.ts). An import source `{ upload: id }` is
   * the file of that id. Given, a source naming a path is refused: the page never names a path.
   */
  files?: { resolve(id: string): { path: string; name: string }; remove(id: string): void };
}

export interface Service {
  handlers: ApiHandlers;
  jobs: JobRegistry;
  /**
   * Opens the ledger and simulates the plan in the background, so that the window's first
   * overview finds the result ready. Failures are left for that call to report.
   */
  warmUp(): Promise<void>;
  recent(): string[];
  /** the open ledger's file; null before the first call opens one */
  ledgerPath(): string | null;
  close(): Promise<void>;
}

const RECENT_MAX = 8;

export const DEFAULT_LEDGER_NAME = 'headroom.sqlite';
export { DEMO_LEDGER_NAME } from './domains/ledger.ts';

/**
 * The state behind every call (one open ledger at a time, its plan) and the domains' calls bound
 * to it. Simulations go to the compute worker; the ledger's own work is done by the store. In the
 * desktop app this runs in the service process (src/entries/service-process.ts), never on Electron's main.
 */
export function createService(opts: ServiceOptions): Service {
  const jobs = new JobRegistry();
  const recentFile = join(opts.userDataDir, 'recent.json');
  mkdirSync(opts.userDataDir, { recursive: true });
  const defaultPath = join(opts.userDataDir, DEFAULT_LEDGER_NAME);

  const readRecent = (): string[] => {
    try {
      const raw: unknown = JSON.parse(readFileSync(recentFile, 'utf8'));
      return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  };
  const remember = (path: string): void => {
    const list = [path, ...readRecent().filter((p) => p !== path)].slice(0, RECENT_MAX);
    writeFileSync(recentFile, JSON.stringify(list, null, 2));
  };

  let store: WorkspaceStore | null = null;
  let plan: Plan = validatePlan({});
  /** bumped when another ledger opens or its events are read again: a snapshot is written only within one */
  let opens = 0;

  /**
   * Switches to the ledger at `path`, all or nothing: everything that can fail (opening, the demo
   * seed, `init`, reading its plan and events) happens before the switch, so a failure leaves the
   * service on the ledger, plan and events it had, and the next save goes where it went before.
   */
  const load = async (path: string, seedDemo: boolean, init?: (s: WorkspaceStore) => Promise<void>): Promise<WorkspaceStore> => {
    mkdirSync(dirname(path), { recursive: true });
    const next = opts.openStore(path);
    let nextPlan: Plan;
    let computeMoved = false;
    try {
      // a ledger with a plan is never seeded: asked first, it spares a count over every event
      if (seedDemo && opts.demo && next.loadPlan() === null && next.eventCount() === 0) {
        const demo = opts.demo();
        await next.seed(demo.plan, demo.events, 'demo workspace');
      }
      if (init !== undefined) await init(next);
      nextPlan = next.loadPlan() ?? validatePlan({});
      // The compute worker starts now (its modules, the events cache, the plan's simulation take a
      // second at 1M events), while this thread checks the events table below.
      opts.compute.setLedger(next.path);
      computeMoved = true;
      opts.compute.warm(nextPlan);
      // The events table must read too: a file that opens but cannot be read fails here, not later.
      // The count of its events (a scan of every row) is taken from the stored overview when it is
      // for these very events, else from an events cache for them (an import's first open).
      const key = next.eventsVersionKey();
      const known = readStoredSpan(next.path, key) ?? readCachedSpan(next.path, key);
      if (known !== null) next.knowSpan(known);
      else next.span();
    } catch (err) {
      next.close();
      // the compute worker goes back to the events of the ledger that stays open
      if (computeMoved && store !== null) opts.compute.setLedger(store.path);
      throw err;
    }
    const previous = store;
    store = next;
    plan = nextPlan;
    opens++;
    previous?.close();
    try {
      remember(path);
    } catch {
      // the recent list is a convenience: a full disk there does not undo the switch
    }
    return next;
  };

  // One opening at a time: concurrent first calls share it instead of seeding twice.
  let opening: Promise<WorkspaceStore> | null = null;
  const current = async (): Promise<WorkspaceStore> => {
    if (store) return store;
    const path = opts.ledgerPath ?? defaultPath;
    opening ??= load(path, path === defaultPath).finally(() => {
      opening = null;
    });
    return opening;
  };

  const info = async (): Promise<LedgerInfo> => {
    const s = await current();
    const span = s.span();
    return {
      path: s.path,
      workspaceName: plan.workspace.name,
      events: span.events,
      firstEvent: span.from,
      lastEvent: span.to,
      recent: readRecent(),
    };
  };

  /** The file an import source names, as the process may read it (never a page's path in the web host). */
  const resolveSource = (source: ImportSource): ImportSource => {
    if ('upload' in source) {
      if (!opts.files) throw new ApiFailure('invalid_input', 'this app takes files by its own dialogs and drops, not as uploads');
      try {
        return opts.files.resolve(source.upload);
      } catch (err) {
        throw new ApiFailure('invalid_input', `the uploaded file is not there: ${(err as Error).message}`);
      }
    }
    if ('path' in source && opts.files) {
      throw new ApiFailure('invalid_input', 'files are read only as the window was handed them (uploads, the app’s own dialogs and drops), never by a path the page names', [
        { column: 'source', message: 'choose or drop the file instead' },
      ]);
    }
    return source;
  };

  const snapshotKey = (s: WorkspaceStore, p: Plan): SnapshotKey => ({ events: s.eventsVersionKey(), plan: planHash(p), code: opts.compute.codeVersion() });

  /**
   * The saved plan's overview. Unless `fresh`, the one stored after the last live answer for the
   * same events, plan and code (src/ledger/overview-snapshot-file.ts), marked `stored`; else (or without one)
   * the live answer, stored for the next launch.
   */
  const savedOverview = async (ctx: CallContext, fresh: boolean): Promise<Overview> => {
    const s = await current();
    const p = plan;
    const key = snapshotKey(s, p);
    if (!fresh) {
      const hit = readSnapshot(s.path, key);
      if (hit !== null) return { ledger: await info(), ...hit.body, stored: { savedAt: hit.savedAt, by: hit.by } };
    }
    const body = await liveOverview(s, p, key, ctx);
    return { ledger: await info(), ...body };
  };

  /**
   * The saved plan's live overview: one computation for every call that asks while it runs or
   * after, until the ledger, its events or the plan change (the launch's warm-up and the window's
   * call are one), stored for the next launch once done. It is stopped only when every call
   * waiting for it has been cancelled.
   */
  interface LiveOverview {
    store: WorkspaceStore;
    plan: Plan;
    opens: number;
    body: Promise<OverviewBody>;
    waiting: number;
    stop: AbortController;
    listeners: Set<(done: number, total: number) => void>;
  }
  let live: LiveOverview | null = null;

  const startLive = (s: WorkspaceStore, p: Plan, key: SnapshotKey): LiveOverview => {
    const stop = new AbortController();
    const listeners = new Set<(done: number, total: number) => void>();
    const generation = opens;
    const body = opts.compute.run('overview', p, p.workspace.name, 0, {
      signal: stop.signal,
      onProgress: (d, t) => {
        for (const l of listeners) l(d, t);
      },
    });
    const entry: LiveOverview = { store: s, plan: p, opens: generation, body, waiting: 0, stop, listeners };
    body.then(
      (b) => {
        // only when nothing moved under the answer: the same ledger, plan and events throughout;
        // one stored for this very key (the last launch's, a command-line import's) is this answer
        // already, and is left as it is
        if (store === s && plan === p && opens === generation && s.eventsVersionKey() === key.events && readSnapshot(s.path, key) === null) writeSnapshot(s.path, key, b, s.span());
      },
      () => {
        // a failed or stopped computation is not kept: the next call starts another
        if (live === entry) live = null;
      },
    );
    return entry;
  };

  const liveOverview = (s: WorkspaceStore, p: Plan, key: SnapshotKey, ctx: CallContext): Promise<OverviewBody> => {
    // a call cancelled before it got here starts and stops nothing: whether it joins before or
    // after another call for the same overview never decides how many computations run
    if (ctx.signal.aborted) return Promise.reject(new ApiFailure('cancelled', 'Cancelled'));
    if (live === null || live.store !== s || live.plan !== p || live.opens !== opens || live.stop.signal.aborted) live = startLive(s, p, key);
    const entry = live;
    entry.waiting++;
    const onProgress = (d: number, t: number): void => ctx.progress(d, t, 'simulate');
    entry.listeners.add(onProgress);
    return new Promise<OverviewBody>((resolve, reject) => {
      let left = false;
      const leave = (): void => {
        left = true;
        entry.waiting--;
        entry.listeners.delete(onProgress);
        ctx.signal.removeEventListener('abort', onAbort);
      };
      function onAbort(): void {
        if (left) return;
        leave();
        if (entry.waiting === 0) entry.stop.abort();
        reject(new ApiFailure('cancelled', 'Cancelled'));
      }
      if (ctx.signal.aborted) {
        onAbort();
        return;
      }
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      entry.body.then(
        (b) => {
          if (left) return;
          leave();
          resolve(b);
        },
        (err: unknown) => {
          if (left) return;
          leave();
          reject(err);
        },
      );
    });
  };

  const state: ServiceState = {
    userDataDir: opts.userDataDir,
    compute: opts.compute,
    demo: opts.demo,
    jobs,
    modeling: createModelingHandlers({ store: current, savedPlan: () => plan, compute: opts.compute }),
    store: current,
    plan: () => plan,
    setPlan: (next) => {
      plan = next;
    },
    adoptLedgerFacts: async (fact) => {
      const s = await current();
      // read, merged and written in one turn of the writer queue (with the fact that changed them, if
      // any): a plan saved during an import keeps its edit, and no write lands between a rename and its plan
      const adopt = (saved: Plan): Plan => s.planWithLedgerFacts(saved);
      const { plan: next, changed } = await (fact === undefined ? s.updatePlan(adopt) : s.recordFact(fact, adopt));
      // unchanged: the plan object stays (the live overview is shared while it is the same one);
      // another ledger opened meanwhile: its plan stays the one the service works on
      if (!changed || store !== s) return changed ? next : plan;
      plan = next;
      opts.compute.warm(next);
      return next;
    },
    open: load,
    info,
    savedOverview,
    overview: async (p, ctx) => {
      await current();
      const body = await opts.compute.run('overview', p, p.workspace.name, 0, { signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t, 'simulate') });
      return { ledger: await info(), ...body };
    },
    reloadEvents: async () => {
      opens++;
      opts.compute.setLedger((await current()).path);
    },
    resolveSource,
    releaseUpload: (id) => opts.files?.remove(id),
  };

  // each domain's calls, bound to this service's state
  const handlers = Object.fromEntries(
    (Object.entries(API_CALLS) as [string, AnyApiCall][]).map(([name, call]) => [name, (input: unknown, ctx: CallContext) => call.run(input, ctx, state)]),
  ) as ApiHandlers;

  return {
    handlers,
    jobs,
    warmUp: async () => {
      try {
        // live, not the stored one: the answer is computed and stored while the window loads
        await handlers['workspace-overview']({ fresh: true }, { signal: new AbortController().signal, progress: () => {} });
      } catch {
        // reported when the window asks
      }
    },
    recent: readRecent,
    ledgerPath: () => store?.path ?? null,
    close: async () => {
      store?.close();
      store = null;
      await opts.compute.close();
    },
  };
}
