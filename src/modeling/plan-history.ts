/**
 * Undo and redo of plan edits. Pure: every operation returns a new history and never mutates the
 * one it was given, so React state and tests can hold any version safely.
 */

export interface PlanHistory<T> {
  /** older versions, oldest first */
  readonly past: readonly T[];
  readonly present: T;
  /** versions undone, the next one to redo first */
  readonly future: readonly T[];
  /** what was last saved (or loaded): the baseline for "unsaved changes" */
  readonly saved: T;
  /** label of each past step (same length as `past`), shown as "Undo set cap" */
  readonly labels: readonly string[];
  /** labels of the undone steps, same order as `future` */
  readonly futureLabels: readonly string[];
  /** a step with the same coalescing key as the last one replaces it (typing in a field) */
  readonly lastKey: string | null;
  readonly limit: number;
}

export const DEFAULT_HISTORY_LIMIT = 200;

export function createHistory<T>(present: T, limit = DEFAULT_HISTORY_LIMIT): PlanHistory<T> {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`history limit must be a positive integer, not ${limit}`);
  return { past: [], present, future: [], saved: present, labels: [], futureLabels: [], lastKey: null, limit };
}

/** Structural equality for plain JSON data (plans): key order does not matter. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && sameData(ao[k], bo[k]));
}

/**
 * Records an edit. An edit that changes nothing is not a step. With `coalesce`, consecutive edits
 * sharing that key (keystrokes in one field) make one undo step.
 */
export function edit<T>(h: PlanHistory<T>, next: T, label = 'edit', coalesce: string | null = null): PlanHistory<T> {
  if (sameData(next, h.present)) return h;
  if (coalesce !== null && coalesce === h.lastKey && h.past.length > 0 && h.future.length === 0) {
    return { ...h, present: next };
  }
  let past = [...h.past, h.present];
  let labels = [...h.labels, label];
  if (past.length > h.limit) {
    past = past.slice(past.length - h.limit);
    labels = labels.slice(labels.length - h.limit);
  }
  return { ...h, past, labels, present: next, future: [], futureLabels: [], lastKey: coalesce };
}

export const canUndo = <T>(h: PlanHistory<T>): boolean => h.past.length > 0;
export const canRedo = <T>(h: PlanHistory<T>): boolean => h.future.length > 0;
export const undoLabel = <T>(h: PlanHistory<T>): string | null => h.labels[h.labels.length - 1] ?? null;
export const redoLabel = <T>(h: PlanHistory<T>): string | null => h.futureLabels[0] ?? null;

export function undo<T>(h: PlanHistory<T>): PlanHistory<T> {
  if (h.past.length === 0) return h;
  const previous = h.past[h.past.length - 1] as T;
  const label = h.labels[h.labels.length - 1] ?? 'edit';
  return {
    ...h,
    past: h.past.slice(0, -1),
    labels: h.labels.slice(0, -1),
    present: previous,
    future: [h.present, ...h.future],
    futureLabels: [label, ...h.futureLabels],
    lastKey: null,
  };
}

export function redo<T>(h: PlanHistory<T>): PlanHistory<T> {
  if (h.future.length === 0) return h;
  const next = h.future[0] as T;
  const label = h.futureLabels[0] ?? 'edit';
  return {
    ...h,
    past: [...h.past, h.present],
    labels: [...h.labels, label],
    present: next,
    future: h.future.slice(1),
    futureLabels: h.futureLabels.slice(1),
    lastKey: null,
  };
}

/** Whether the present differs from what was last saved (undoing back to it clears this). */
export const isDirty = <T>(h: PlanHistory<T>): boolean => !sameData(h.present, h.saved);

export function markSaved<T>(h: PlanHistory<T>, saved: T = h.present): PlanHistory<T> {
  return { ...h, present: saved, saved, lastKey: null };
}

/** Starts over from a freshly loaded plan: no steps to undo, nothing unsaved. */
export function reset<T>(h: PlanHistory<T>, present: T): PlanHistory<T> {
  return createHistory(present, h.limit);
}
