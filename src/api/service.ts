import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { validatePlan } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import type { ImportSource } from './schemas.ts';
import { ApiFailure } from './errors.ts';
import type { ComputeClient } from './compute.ts';
import type { ApiHandlers } from './handlers.ts';
import { JobRegistry } from './handlers.ts';
import { createModelingHandlers } from './modeling.ts';
import type { DemoFactory, OpenStore, WorkspaceStore } from './store.ts';
import type { LedgerInfo, Overview } from './types.ts';

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
  close(): Promise<void>;
}

const RECENT_MAX = 8;

export const DEFAULT_LEDGER_NAME = 'headroom.sqlite';
export const DEMO_LEDGER_NAME = 'demo-workspace.sqlite';

/**
 * The handlers behind every call, over one open ledger at a time. Simulations go to the compute
 * worker; the ledger's own work is done by the store.
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

  /**
   * Switches to the ledger at `path`, all or nothing: everything that can fail (opening, the demo
   * seed, `init`, reading its plan and events) happens before the switch, so a failure leaves the
   * service on the ledger, plan and events it had, and the next save goes where it went before.
   */
  const load = async (path: string, seedDemo: boolean, init?: (s: WorkspaceStore) => void): Promise<WorkspaceStore> => {
    mkdirSync(dirname(path), { recursive: true });
    const next = opts.openStore(path);
    let nextPlan: Plan;
    try {
      if (seedDemo && next.eventCount() === 0 && next.loadPlan() === null && opts.demo) {
        const demo = opts.demo();
        await next.seed(demo.plan, demo.events, 'demo workspace');
      }
      init?.(next);
      nextPlan = next.loadPlan() ?? validatePlan({});
      // the events table must read too: a file that opens but cannot be read fails here, not later
      next.span();
    } catch (err) {
      next.close();
      throw err;
    }
    const previous = store;
    store = next;
    plan = nextPlan;
    opts.compute.setLedger(next.path);
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

  const overview = async (p: Plan, signal: AbortSignal, progress: (d: number, t: number, phase: string) => void): Promise<Overview> => {
    await current();
    const body = await opts.compute.run('overview', p, p.workspace.name, 0, { signal, onProgress: (d, t) => progress(d, t, 'simulate') });
    return { ledger: await info(), ...body };
  };

  /** The plan with the ledger's entity facts (names, kinds) applied and saved; the compute worker starts on it. */
  const adoptLedgerFacts = (s: WorkspaceStore): Plan => {
    const next = s.planWithLedgerFacts(plan);
    if (next !== plan) {
      opts.compute.warm(next);
      s.savePlan(next);
      plan = next;
    }
    return plan;
  };

  const reloadEvents = async (): Promise<void> => {
    opts.compute.setLedger((await current()).path);
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

  const handlers: ApiHandlers = {
    'ledger-info': async () => info(),
    'ledger-open': async ({ path }) => {
      if (!existsSync(path)) throw new ApiFailure('not_found', `No ledger at ${path}`, [{ file: path, message: 'file not found' }]);
      await load(path, false);
      return info();
    },
    'ledger-new': async ({ path }) => {
      if (existsSync(path)) throw new ApiFailure('invalid_input', `${path} already exists`, [{ file: path, message: 'choose a new file name' }]);
      await load(path, false, (s) => s.savePlan(validatePlan({})));
      return info();
    },
    // The first run's "open the demo workspace": its own ledger next to the default one, seeded
    // once, so trying the demo never mixes its events into the admin's own.
    'ledger-demo': async () => {
      if (!opts.demo) throw new ApiFailure('not_found', 'The demo workspace is not available in this build');
      await load(join(opts.userDataDir, DEMO_LEDGER_NAME), true);
      return info();
    },
    'plan-get': async () => {
      await current();
      return { plan };
    },
    'plan-save': async ({ plan: raw }) => {
      const next = validatePlan(raw, 'plan');
      const store = await current();
      // the simulation starts before the write: the page's next request is for this plan's results
      opts.compute.warm(next);
      store.savePlan(next);
      plan = next;
      return { plan };
    },
    'plan-simulate': async ({ plan: raw }, ctx) => overview(validatePlan(raw, 'plan'), ctx.signal, ctx.progress),
    'workspace-overview': async (_input, ctx) => {
      await current();
      return overview(plan, ctx.signal, ctx.progress);
    },
    'projection-get': async ({ width, maxKeys }, ctx) => {
      await current();
      return opts.compute.run('projection', plan, plan.workspace.name, width, {
        maxKeys,
        signal: ctx.signal,
        onProgress: (d, t) => ctx.progress(d, t, 'simulate'),
      });
    },
    'profile-compare': async ({ plan: raw }, ctx) => {
      await current();
      const p = raw === undefined ? plan : validatePlan(raw, 'plan');
      return opts.compute.run('profiles', p, p.workspace.name, 0, { signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t, 'simulate') });
    },
    'import-preview': async ({ source, format, mapping }, ctx) =>
      (await current()).preview(resolveSource(source), format, mapping, { signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t, 'preview') }),
    'import-run': async ({ source, format, skipBadRows, mapping }, ctx) => {
      const file = resolveSource(source);
      const result = await (await current()).importFile(file, {
        format,
        skipBadRows,
        mapping,
        signal: ctx.signal,
        onProgress: (d, t) => ctx.progress(d, t, 'import'),
      });
      if (result.imported > 0) {
        const s = await current();
        const next = s.planWithLedgerFacts(plan);
        if (next !== plan) {
          s.savePlan(next);
          plan = next;
        }
        await reloadEvents();
      }
      if ('upload' in source) opts.files?.remove(source.upload);
      return result;
    },
    'import-history': async () => (await current()).listBatches(),
    'import-undo': async ({ batch }) => {
      const { removed } = (await current()).undoBatch(batch);
      await reloadEvents();
      return { batch, removed };
    },
    'job-cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'entity-rename': async ({ type, subject, name }) => {
      const s = await current();
      s.renameEntity(type, subject, name);
      return { plan: adoptLedgerFacts(s) };
    },
    'trigger-kind': async ({ subject, kind }) => {
      const s = await current();
      // the plan format has no programmatic schedule (SPEC): say so rather than store a kind the plan cannot take
      const mode = s.planWithLedgerFacts(plan).triggers.find((t) => t.id === subject)?.mode;
      if (kind === 'scheduled' && mode === 'programmatic' && plan.enforcement.profile !== 'platform') {
        throw new ApiFailure('invalid_input', `${subject} runs in programmatic mode: a plan schedules only fair-use triggers (switch its mode to fair use first)`, [
          { column: 'kind', value: kind, message: 'programmatic triggers are webhooks in the plan' },
        ]);
      }
      s.correctTriggerKind(subject, kind);
      return { plan: adoptLedgerFacts(s) };
    },
    // the modeling screens (src/api/modeling.ts)
    ...createModelingHandlers({ store: current }),
  };

  return {
    handlers,
    jobs,
    warmUp: async () => {
      try {
        await handlers['workspace-overview']({}, { signal: new AbortController().signal, progress: () => {} });
      } catch {
        // reported when the window asks
      }
    },
    recent: readRecent,
    close: async () => {
      store?.close();
      store = null;
      await opts.compute.close();
    },
  };
}
