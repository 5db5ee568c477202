import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isChannel, unknownCall, validateInput } from './handlers.ts';
import type { ApiError, Settled } from './errors.ts';
import type { FromService, ServiceInit, ToService } from './service-protocol.ts';
import { isFromService } from './service-protocol.ts';
import type { ServiceLink } from './service-link.ts';
import type { ProgressEvent } from './types.ts';

/**
 * A started service process, as Electron's `utilityProcess.fork` and Node's `child_process.fork`
 * both can give it (adapters: electron/main/utility-service.ts, nodeForkService below).
 */
export interface ServiceChild {
  postMessage(message: ToService): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type ForkService = (entry: URL) => ServiceChild;

/** Node's fork, with structured clone as Electron's port has it. */
export const nodeForkService: ForkService = (entry) => {
  const child = fork(fileURLToPath(entry), [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    postMessage: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.on('exit', (code) => l(code)),
    kill: () => void child.kill('SIGKILL'),
  };
};

/** Resolves the window's file handles in the relaying process: the service gets a path, the window never names one. */
export interface RelayFiles {
  resolve(handle: string): { path: string; name: string };
  remove(handle: string): void;
}

export interface RelayOptions {
  fork: ForkService;
  /** the service's entry, found as workers are: workerFile('service-process') */
  entry: URL;
  init: ServiceInit;
  files?: RelayFiles;
  log?: (message: string) => void;
  /** starts in a row that may fail before the relay stops restarting on its own (the next call tries again) */
  maxFailedStarts?: number;
}

interface Pending {
  channel: string;
  emit: (event: ProgressEvent) => void;
  resolve: (settled: Settled<unknown>) => void;
  /** an upload handle the call consumes once it succeeds */
  upload?: string;
}

interface Running {
  child: ServiceChild;
  /** messages wait here until the entry says hello */
  queue: ToService[] | null;
  ready: boolean;
  exited: boolean;
}

const failure = (error: ApiError): Settled<never> => ({ ok: false, error });

/**
 * Electron's main (or any relaying process) runs no service code: each call is checked against its
 * schema here, file handles become paths here, and the call goes to the service process, whose
 * progress and answer come back. A service process that dies settles its pending calls with a
 * `service_down` error and is started again, on the ledger that was open.
 */
export class ServiceRelay implements ServiceLink {
  private readonly opts: RelayOptions;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: (() => void)[] = [];
  private running: Running | null = null;
  private nextId = 1;
  private recentList: string[] = [];
  private ledger: string | null = null;
  private failedStarts = 0;
  private closing = false;
  private starts = 0;

  constructor(opts: RelayOptions) {
    this.opts = opts;
    this.start();
  }

  /** How many service processes were started (restarts included). */
  get startCount(): number {
    return this.starts;
  }

  recent(): string[] {
    return this.recentList;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async call(channel: string, raw: unknown, emit: (event: ProgressEvent) => void = () => {}): Promise<Settled<unknown>> {
    if (this.closing) return failure({ code: 'service_down', message: 'Headroom is closing', details: [] });
    if (!isChannel(channel)) return unknownCall(channel);
    const checked = validateInput(channel, raw);
    if (!checked.ok) return checked;
    let input = checked.value as unknown;
    let upload: string | undefined;
    if (this.opts.files !== undefined) {
      const sourced = this.resolveFiles(input);
      if (!sourced.ok) return sourced;
      input = sourced.value.input;
      upload = sourced.value.upload;
    }
    const id = this.nextId++;
    return new Promise<Settled<unknown>>((resolve) => {
      this.pending.set(id, { channel, emit, resolve, ...(upload !== undefined ? { upload } : {}) });
      this.send({ type: 'call', id, channel, input });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const running = this.running;
    this.settleAll({ code: 'service_down', message: 'Headroom is closing', details: [] });
    if (running === null || running.exited) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        running.child.kill();
        resolve();
      }, 5000);
      running.child.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      this.send({ type: 'close' });
    });
  }

  /** Ends the service process at once, as a crash would (tests, and a hung service). */
  kill(): void {
    this.running?.child.kill();
  }

  private resolveFiles(input: unknown): Settled<{ input: unknown; upload?: string }> {
    const source = (input as { source?: unknown }).source;
    if (typeof source !== 'object' || source === null) return { ok: true, value: { input } };
    if ('path' in source) {
      return failure({
        code: 'invalid_input',
        message: 'files are read only as the window was handed them (the app’s own dialogs and drops), never by a path the page names',
        details: [{ column: 'source', message: 'choose or drop the file instead' }],
      });
    }
    if (!('upload' in source) || typeof source.upload !== 'string') return { ok: true, value: { input } };
    try {
      const file = this.opts.files!.resolve(source.upload);
      return { ok: true, value: { input: { ...(input as object), source: { path: file.path, name: file.name } }, upload: source.upload } };
    } catch (err) {
      return failure({ code: 'invalid_input', message: `the chosen file is not there: ${(err as Error).message}`, details: [] });
    }
  }

  private start(): void {
    this.starts++;
    const init: ServiceInit = { ...this.opts.init, ...(this.ledger !== null ? { ledgerPath: this.ledger } : {}) };
    const child = this.opts.fork(this.opts.entry);
    const running: Running = { child, queue: [{ type: 'init', init }], ready: false, exited: false };
    this.running = running;
    child.onMessage((m) => {
      if (this.running === running) this.receive(running, m);
    });
    child.onExit((code) => {
      running.exited = true;
      if (this.running !== running) return;
      this.running = null;
      if (this.closing) return;
      if (!running.ready) this.failedStarts++;
      this.opts.log?.(`the service process stopped (exit code ${code ?? 'none'})`);
      this.settleAll({
        code: 'service_down',
        message: `Headroom's service process stopped during this call (exit code ${code ?? 'none'}); it has been started again: try again`,
        details: [],
      });
      if (this.failedStarts < (this.opts.maxFailedStarts ?? 3)) this.start();
    });
  }

  private send(message: ToService): void {
    if (this.running === null) {
      // stopped restarting after failed starts: a new call tries once more
      this.failedStarts = 0;
      this.start();
    }
    const running = this.running!;
    if (running.queue !== null) running.queue.push(message);
    else running.child.postMessage(message);
  }

  private receive(running: Running, raw: unknown): void {
    if (!isFromService(raw)) return;
    const m: FromService = raw;
    switch (m.type) {
      case 'hello': {
        const queued = running.queue ?? [];
        running.queue = null;
        for (const q of queued) running.child.postMessage(q);
        return;
      }
      case 'ready':
        running.ready = true;
        this.failedStarts = 0;
        return;
      case 'progress':
        this.pending.get(m.id)?.emit(m.event);
        return;
      case 'state': {
        const changed = m.ledger !== this.ledger || m.recent.join('\n') !== this.recentList.join('\n');
        this.recentList = m.recent;
        this.ledger = m.ledger;
        if (changed) for (const l of this.listeners) l();
        return;
      }
      case 'settled': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.settled.ok && p.upload !== undefined && p.channel === 'import-run') this.opts.files?.remove(p.upload);
        p.resolve(m.settled);
        return;
      }
      case 'fatal':
        this.opts.log?.(`the service process failed: ${m.message}`);
        return;
    }
  }

  private settleAll(error: ApiError): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const p of calls) p.resolve(failure(error));
  }
}
