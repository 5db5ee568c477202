/**
 * The one message envelope every worker thread speaks (client.ts on the calling side, serve.ts in
 * the worker). A call carries an id, a method name, its input and a shared cancel flag; the worker
 * answers with progress (and, for methods that stream, values), then exactly one result: a value
 * or a typed error. This folder imports nothing but Node: every layer, the engine included, may
 * use it.
 */
import type { TransferListItem } from 'node:worker_threads';

/**
 * One method's types: what it takes, what it answers, and what it streams before answering
 * (`emits`, `never` for most). Both sides name their methods with a map of these, e.g.
 * `type PartMethods = { run: Method<PartRun, SimulationResult> }`.
 */
export interface Method<In, Out, Emits = never> {
  readonly input: In;
  readonly output: Out;
  readonly emits: Emits;
}

/** A map of method names to their `Method` types (a type alias; interfaces have no index). */
export type Methods<M> = { [K in keyof M]: Method<unknown, unknown, unknown> };

export type InputOf<M, K extends keyof M> = M[K] extends Method<infer I, unknown, unknown> ? I : never;
export type OutputOf<M, K extends keyof M> = M[K] extends Method<unknown, infer O, unknown> ? O : never;
export type EmitsOf<M, K extends keyof M> = M[K] extends Method<unknown, unknown, infer E> ? E : never;

/** An error as it crosses the thread boundary: the same shape as the API's errors. */
export interface WireError {
  code: string;
  message: string;
  details: unknown[];
}

/**
 * Codes the transport itself gives; a method's own failures keep the code its worker gave them
 * (`serve`'s `describeError`, e.g. the API's `input_error`).
 */
export type TransportErrorCode =
  /** the caller aborted and the worker stopped (or the call never started) */
  | 'cancelled'
  /** the worker thread threw outside any call, exited or ran out of memory */
  | 'worker_failed'
  /** the worker could not be started (its script is missing or unreadable) */
  | 'worker_unavailable'
  /** the input (or a reply) could not be copied to the other thread */
  | 'unsendable'
  /** the worker has no such method */
  | 'unknown_method'
  /** the client was closed while the call was pending */
  | 'closed'
  /** a method threw something its worker did not describe */
  | 'failed';

/** Every failed call rejects with this: never a bare Error, never a hang. */
export class WorkerCallError extends Error {
  override readonly name = 'WorkerCallError';
  readonly code: TransportErrorCode | (string & {});
  readonly details: unknown[];

  constructor(code: TransportErrorCode | (string & {}), message: string, details: unknown[] = []) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** Messages to a worker. */
export type ToWorker =
  | { type: 'call'; id: number; method: string; input: unknown; cancel: SharedArrayBuffer }
  /** the call's cancel flag is already set; this wakes a worker that is awaiting something */
  | { type: 'cancel'; id: number };

/** Messages from a worker. */
export type FromWorker =
  /** the worker's script has loaded and it takes calls */
  | { type: 'ready' }
  | { type: 'progress'; id: number; done: number; total: number }
  /** a value a streaming method hands over before its result */
  | { type: 'emit'; id: number; value: unknown }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError };

/** A method's answer together with the buffers to move (not copy) to the caller. */
export class Transfer<T> {
  readonly value: T;
  readonly list: readonly TransferListItem[];

  constructor(value: T, list: readonly TransferListItem[]) {
    this.value = value;
    this.list = list;
  }
}

/** Answer `value`, moving the buffers in `list` to the caller (they are detached here). */
export function withTransfer<T>(value: T, list: readonly TransferListItem[]): Transfer<T> {
  return new Transfer(value, list);
}

/** Index of the Int32 cancel flag in a call's SharedArrayBuffer: 1 = cancelled. */
export const CANCEL_SLOT = 0;
