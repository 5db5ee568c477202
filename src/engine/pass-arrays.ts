import type { QueueLog } from './queue-log.ts';
import type { SimulationResult } from './result.ts';

/** What a pass writes per event, and its queue log: the bulk of a result's memory. */
export interface PassArrays {
  outcome: Uint8Array;
  admittedAt: Float64Array;
  reason: Uint8Array;
  entity: Int32Array;
  queueLog: QueueLog | null;
}

/**
 * A result's per-event arrays, which a later pass over the same events may write over once
 * nothing reads the result any more (src/engine/parts.ts decides when). Allocating them afresh
 * cost a seats edit a fifth of its time: 12 bytes an event zeroed and faulted in, then collected.
 * A result read after handing its arrays over throws rather than show another plan's decisions.
 */
export class HeldArrays {
  private held: PassArrays | null;

  constructor(arrays: PassArrays) {
    this.held = arrays;
  }

  get(): PassArrays {
    if (this.held === null) throw new Error('a superseded part result was read after a later pass took over its arrays');
    return this.held;
  }

  /** The arrays, for a pass over `count` events; null (and kept) when they are of another size. */
  handOver(count: number): PassArrays | null {
    const arrays = this.held;
    if (arrays === null || arrays.outcome.length !== count) return null;
    this.held = null;
    return arrays;
  }
}

/** The results whose arrays can be handed over: those a pass made with `reusableResult`. */
const holders = new WeakMap<SimulationResult, HeldArrays>();

export function arraysOf(result: SimulationResult): HeldArrays | undefined {
  return holders.get(result);
}

/**
 * `fields` with the per-event arrays and queue log read through `held`: the result made here
 * stays readable until its arrays are handed over.
 */
export function reusableResult(fields: Omit<SimulationResult, 'outcome' | 'admittedAt' | 'reason' | 'entity' | 'queueLog'>, held: HeldArrays): SimulationResult {
  const logged = held.get().queueLog !== null;
  const result: SimulationResult = {
    ...fields,
    get outcome() {
      return held.get().outcome;
    },
    get admittedAt() {
      return held.get().admittedAt;
    },
    get reason() {
      return held.get().reason;
    },
    get entity() {
      return held.get().entity;
    },
  };
  if (logged) {
    Object.defineProperty(result, 'queueLog', {
      enumerable: true,
      get: () => held.get().queueLog ?? undefined,
    });
  }
  holders.set(result, held);
  return result;
}
