import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventColumns } from '../engine/events.ts';
import type { Plan } from '../engine/plan.ts';
import { ApiFailure } from './errors.ts';
import { workerEvents } from './compute-protocol.ts';
import type { ComputeKind, ComputeMethods, ComputeOutputs, ComputeRequest } from './compute-protocol.ts';
import { WorkerClient, workerLimits } from '../workers/client.ts';
import type { CallOptions } from '../workers/client.ts';
import type { EmitsOf, InputOf } from '../workers/protocol.ts';
import { apiFailureOf } from './worker-failure.ts';
import { workerFile } from '../worker-files.ts';
import { sourceVersion } from '../fs/source-version.ts';
import type { Projection } from './types.ts';
import type { OverviewBody } from '../projection/overview.ts';
import type { ProfileComparison } from '../compare/profiles.ts';

export interface RunOptions {
  /** projections: charts for at most this many keys */
  maxKeys?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export type AskOptions = Omit<RunOptions, 'maxKeys'>;

/** Where the worker script is: a .ts file under Node, the bundled .js inside the app. */
export function defaultWorkerUrl(): URL {
  return workerFile('compute-worker');
}

/** The plan a request is about, for joining a warm-up of the same plan. */
function planOf(request: ComputeRequest): Plan | null {
  return 'plan' in request ? request.plan : null;
}

/**
 * Hands every question about the events (compute-protocol.ts) to one worker thread, which holds
 * the one copy of the events. Cancellation flips a shared flag that the engine reads while it
 * runs, because a busy worker cannot read messages.
 */
export class ComputeClient {
  private readonly worker: WorkerClient<ComputeMethods>;
  private readonly url: URL;
  private code: string | null = null;
  private version = 0;
  private events: EventColumns | null = null;
  /** with `events`: the keys whose requests there are the platform's export */
  private exportedKeys: string[] = [];
  private ledgerPath: string | null = null;
  private sentVersion = -1;
  /** the plan being simulated ahead of its call; a call for the same plan follows its progress */
  private warming: { plan: string; stop: AbortController; onProgress?: (done: number, total: number) => void } | null = null;
  /** the events' version and plan whose edit paths were last warmed */
  private warmedEdits: string | null = null;

  constructor(url: URL = defaultWorkerUrl()) {
    this.url = url;
    this.worker = new WorkerClient<ComputeMethods>(url, {
      name: 'compute worker',
      resourceLimits: workerLimits(),
      onRestart: () => {
        this.sentVersion = -1;
        this.warmedEdits = null;
      },
    });
  }

  /** The worker answers over `events`; `exportedKeys`: the keys whose requests there are the platform's export (none by default: demand). */
  setEvents(events: EventColumns, exportedKeys: Iterable<string> = []): void {
    this.events = events;
    this.exportedKeys = [...exportedKeys];
    this.ledgerPath = null;
    this.version++;
    this.stopWarming();
  }

  /**
   * Which code answers, what a stored answer is keyed on besides its inputs: the version of the
   * sources (src/fs/source-version.ts) for the app's own compute worker, the one a command-line
   * import computes an overview with too; for another worker script (a test's), its file's size
   * and time, or this run alone when it is no file.
   */
  codeVersion(): string {
    if (this.code === null) {
      if (this.url.href === defaultWorkerUrl().href) {
        this.code = sourceVersion();
      } else {
        try {
          const st = statSync(fileURLToPath(this.url));
          this.code = `${this.url.pathname.split('/').pop() ?? ''}:${st.size}:${Math.round(st.mtimeMs)}`;
        } catch {
          // not a file (a data: URL in a test): every run is its own version
          this.code = `${this.url.href}:${process.pid}:${Date.now()}`;
        }
      }
    }
    return this.code;
  }

  /** The worker reads the ledger's events itself (read-only), when it first needs them. */
  setLedger(path: string): void {
    this.events = null;
    this.ledgerPath = path;
    this.version++;
    this.stopWarming();
  }

  /**
   * Starts simulating `plan` now, ahead of the call for it (a saved plan is what every page asks
   * about next): the call then finds it done or under way. A newer plan stops it. `edits`: the
   * paths an edit of it takes too (src/entries/compute-worker.ts `warmEdits`), once the window is idle.
   * Settles with what became of it: run to its end, asked for already (done or under way),
   * stopped (by another plan's call: asked for again, it runs again), or no events to warm on.
   */
  warm(plan: Plan, edits = false): Promise<'warmed' | 'already' | 'stopped' | 'no events'> {
    if (!this.sendEvents()) return Promise.resolve('no events');
    const key = JSON.stringify(plan);
    const previous = this.warming;
    if (previous !== null && previous.plan === key && !edits) return Promise.resolve('already');
    // the edit paths are compiled once per worker: asked again for the same plan and events, nothing to do
    const editsKey = `${this.version}:${key}`;
    if (edits && this.warmedEdits === editsKey) return Promise.resolve('already');
    if (edits) this.warmedEdits = editsKey;
    const warming: NonNullable<ComputeClient['warming']> = { plan: key, stop: new AbortController() };
    if (previous !== null && previous.plan === key) {
      // the same plan's simulation goes on (this one is served after it); stopping this stops both
      warming.stop.signal.addEventListener('abort', () => previous.stop.abort(), { once: true });
    } else {
      this.stopWarming();
    }
    this.warming = warming;
    return this.worker
      .call('warm', { kind: 'warm', plan, ...(edits ? { edits } : {}) }, {
        signal: warming.stop.signal,
        onProgress: (done, total) => warming.onProgress?.(done, total),
      })
      .then(
        () => 'warmed' as const,
        // a failure is the asking call's to report: it meets the same one
        () => {
          // an edit's call stopped it before its end (an admin typing at once): the next ask warms again
          if (edits && this.warmedEdits === editsKey) this.warmedEdits = null;
          return 'stopped' as const;
        },
      )
      .finally(() => {
        if (this.warming === warming) this.warming = null;
      });
  }

  private stopWarming(): void {
    this.warming?.stop.abort();
    this.warming = null;
  }

  /**
   * Before a call about `plan`: a warm-up of another plan is stopped; one of this plan reports its
   * progress to the call, and stops if the call is cancelled.
   */
  private joinWarming(plan: Plan | null, opts: AskOptions): void {
    const warming = this.warming;
    if (warming === null) return;
    if (plan === null || warming.plan !== JSON.stringify(plan)) {
      this.stopWarming();
      return;
    }
    warming.onProgress = opts.onProgress;
    opts.signal?.addEventListener('abort', () => warming.stop.abort(), { once: true });
  }

  /** Sends the worker the events (or the ledger to read) once per change; false when there are none. */
  private sendEvents(): boolean {
    const events = this.events;
    const path = this.ledgerPath;
    if (events === null && path === null) return false;
    if (this.sentVersion !== this.version) {
      // served before any call sent after it; a failure to take them fails those calls
      const sent = events !== null ? this.worker.call('events', { version: this.version, events: workerEvents(events), exportedKeys: this.exportedKeys }) : this.worker.call('ledger', { version: this.version, path: path ?? '' });
      sent.catch(() => {});
      this.sentVersion = this.version;
    }
    return true;
  }

  /** Any question of the union, answered by the worker over the events it holds. */
  ask<K extends Exclude<ComputeKind, 'warm'>>(request: Extract<ComputeRequest, { kind: K }>, opts: AskOptions = {}): Promise<ComputeOutputs[K]> {
    if (opts.signal?.aborted) return Promise.reject(new ApiFailure('cancelled', 'Cancelled'));
    if (!this.sendEvents()) return Promise.reject(new ApiFailure('not_found', 'No events loaded'));
    this.joinWarming(planOf(request), opts);
    // the request names its own method (RequestMethods): its kind
    const kind = (request as ComputeRequest).kind as K;
    const answered = this.worker.call(kind, request as InputOf<ComputeMethods, K>, opts as CallOptions<EmitsOf<ComputeMethods, K>>) as Promise<ComputeOutputs[K]>;
    return answered.catch((err: unknown) => {
      throw apiFailureOf(err);
    });
  }

  /** The pages' questions about a whole plan (Overview, Projection, the profile comparison). */
  run(kind: 'overview', plan: Plan, planName: string, width: number, opts?: RunOptions): Promise<OverviewBody>;
  run(kind: 'projection', plan: Plan, planName: string, width: number, opts?: RunOptions): Promise<Projection>;
  run(kind: 'profiles', plan: Plan, planName: string, width: number, opts?: RunOptions): Promise<ProfileComparison>;
  run(kind: 'overview' | 'projection' | 'profiles', plan: Plan, planName: string, width: number, opts: RunOptions = {}): Promise<unknown> {
    const { maxKeys, ...rest } = opts;
    if (kind === 'overview') return this.ask({ kind, plan, planName }, rest);
    if (kind === 'profiles') return this.ask({ kind, plan }, rest);
    return this.ask({ kind, plan, planName, width, maxKeys: maxKeys ?? Number.MAX_SAFE_INTEGER }, rest);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
