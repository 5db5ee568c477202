/**
 * The plan being edited on the modeling screens, shared by all of them and kept while the admin
 * moves between pages: its undo history, the live projection of the present version and the
 * recommendations. A small external store (useSyncExternalStore), so no provider is needed.
 */
import { useSyncExternalStore } from 'react';
import { call, newJobId, onProgress, toError } from '../api/client.ts';
import { warmEditsWhenIdle } from './warm.ts';
import type { ApiError } from '../../../src/api/errors.ts';
import type { Plan } from '../../../src/engine/plan.ts';
import { canRedo, canUndo, createHistory, edit, isDirty, markSaved, redo, sameData, undo, undoLabel, redoLabel } from '../../../src/modeling/plan-history.ts';
import type { PlanHistory } from '../../../src/modeling/plan-history.ts';
import type { Advice, ModelProjectAnswer, ModelView } from '../../../src/modeling/types.ts';
import { planPatch } from '../../../src/modeling/plan-diff.ts';
import { applyDelta, isDelta } from '../../../src/modeling/view-delta.ts';
import { shareEqual } from './share.ts';

/**
 * Marked when an edit's projection arrives, before React renders it: with the painted mark
 * (MODEL_VIEW_PAINTED_MARK) it measures the renderer's own share of an edit, answer to paint.
 */
export const MODEL_VIEW_ANSWERED_MARK = 'headroom:model-view-answered';
/** Marked when React has committed an edit's projection to the DOM (before the browser paints it). */
export const MODEL_VIEW_COMMITTED_MARK = 'headroom:model-view-committed';

export interface EditorState {
  history: PlanHistory<Plan> | null;
  loadError: ApiError | null;
  /** projection of `history.present`, or of an earlier version while a newer one computes */
  view: ModelView | null;
  /** the plan `view` was computed for */
  viewPlan: Plan | null;
  viewError: ApiError | null;
  projecting: boolean;
  progress: { done: number; total: number } | null;
  advice: Advice | null;
  adviceError: ApiError | null;
  saving: boolean;
  saveError: ApiError | null;
  /** bumped after each save, so the shell's pages can refetch */
  savedCount: number;
  /** the admin stopped the last projection */
  cancelled: boolean;
}

/**
 * Typing comes in bursts: a coalescing edit (a field being typed in) is projected at once, each
 * keystroke's request cancelling the last, but shown only once the burst pauses or the field is
 * left, so that the charts do not follow every keystroke (1, 14, 140 seats). The projection of
 * what was typed last is then often done by the time the admin leaves the field. Any other edit
 * (a select, undo) projects and shows at once, its request sent before anything renders: the
 * worker re-simulates only the part it touches, and a newer edit cancels it.
 */
export const PROJECT_DEBOUNCE_MS = 250;
/** One job id for the live projection: the host cancels the run a newer one replaces. */
const LIVE_JOB = newJobId('model-live');

let state: EditorState = {
  history: null,
  loadError: null,
  view: null,
  viewPlan: null,
  viewError: null,
  projecting: false,
  progress: null,
  advice: null,
  adviceError: null,
  saving: false,
  saveError: null,
  savedCount: 0,
  cancelled: false,
};
const listeners = new Set<() => void>();

function set(patch: Partial<EditorState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useEditor(): EditorState {
  return useSyncExternalStore(subscribe, () => state);
}

export const getEditor = (): EditorState => state;

/**
 * One value derived from the editor's state: the component renders again only when that value
 * changes (by Object.is), not on each progress tick or projection of the plan. For the many small
 * parts of a table's rows, which must not all render again on every change of the store.
 */
export function useEditorSelect<T>(select: (s: EditorState) => T): T {
  return useSyncExternalStore(subscribe, () => select(state));
}

const dirtyOf = new WeakMap<PlanHistory<Plan>, boolean>();
/** Whether the plan has unsaved edits, worked out once per version of the history. */
export function planDirty(h: PlanHistory<Plan> | null): boolean {
  if (h === null) return false;
  let d = dirtyOf.get(h);
  if (d === undefined) {
    d = isDirty(h);
    dirtyOf.set(h, d);
  }
  return d;
}

/** the typing pause under way (`applyEdit`) */
let timer: ReturnType<typeof setTimeout> | null = null;
/** whether `timer` is a typing pause: an answer that comes during it waits in `heldAnswer` */
let typing = false;
/** the last answer (or failure), kept until the typing pause ends */
let heldAnswer: (() => void) | null = null;
/** The service's name for `state.view`: the next projection asks only for what differs from it. */
let heldId: string | null = null;
let seq = 0;
let offProgress: (() => void) | null = null;

/** Projects the present plan at once (the request is sent before this returns). */
function scheduleProjection(): void {
  stopTypingPause();
  project();
  set({ projecting: true, cancelled: false });
}

/** Ends the typing pause: the answer that came during it is shown now, or when it comes. */
function endTypingPause(): void {
  if (!typing) return;
  const held = heldAnswer;
  stopTypingPause();
  held?.();
}

/** Stops the typing pause; an answer held is dropped (a newer request replaces it). */
function stopTypingPause(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  typing = false;
  heldAnswer = null;
}

/**
 * Sends the projection of `plan` now, synchronously: nothing (no render, no await) goes before the
 * request. With a view held, only the change from that view's plan goes (a patch of the few
 * entries an edit touches, src/modeling/plan-diff.ts), and only the change of the view comes back.
 */
function project(plan: Plan | undefined = state.history?.present): void {
  if (!plan) return;
  const mine = ++seq;
  offProgress ??= onProgress((e) => {
    if (e.jobId === LIVE_JOB && state.projecting) set({ progress: { done: e.done, total: e.total } });
  });
  const held = state.view;
  const heldPlan = state.viewPlan;
  const base = held === null || heldPlan === null ? null : heldId;
  const answered = call('model-project', base === null || heldPlan === null ? { plan, jobId: LIVE_JOB } : { patch: planPatch(heldPlan, plan), base, jobId: LIVE_JOB });
  void settle(answered, mine, plan, held, base);
}

async function settle(answered: Promise<ModelProjectAnswer>, mine: number, plan: Plan, held: ModelView | null, base: string | null): Promise<void> {
  let answer: ModelProjectAnswer;
  try {
    answer = await answered;
  } catch (err) {
    if (mine !== seq) return;
    whenShown(() => failed(toError(err), plan, base));
    return;
  }
  if (mine !== seq) return;
  performance.clearMarks(MODEL_VIEW_ANSWERED_MARK);
  performance.mark(MODEL_VIEW_ANSWERED_MARK);
  whenShown(() => show(answer, mine, plan, held, base));
}

/** `work` now, or, during a typing pause, once it ends (the newest answer only). */
function whenShown(work: () => void): void {
  if (typing) heldAnswer = work;
  else work();
}

function show(answer: ModelProjectAnswer, mine: number, plan: Plan, held: ModelView | null, base: string | null): void {
  if (mine !== seq) return;
  let whole: ModelView;
  if (isDelta(answer)) {
    // the view it patches was replaced meanwhile (another ledger opened): ask for the whole
    if (held === null || state.view !== held || answer.base !== base) {
      heldId = null;
      project(plan);
      return;
    }
    whole = applyDelta(held, answer);
  } else {
    const { viewId: _named, ...view } = answer;
    whole = view;
    // a modeling screen just opened on this plan: edits follow, their paths are warmed once painted
    if (held === null) warmEditsWhenIdle();
  }
  // the keys and triggers whose figures did not change keep their objects, so their rows do not render again
  const view = shareEqual(state.view, whole);
  heldId = answer.viewId;
  set({ view, viewPlan: plan, viewError: null, projecting: false, progress: null });
}

function failed(error: ReturnType<typeof toError>, plan: Plan, base: string | null): void {
  // the service no longer holds the plan the patch was made on (it restarted): the whole plan
  if (base !== null && error.code === 'not_found' && error.details.some((d) => d.path === 'base')) {
    heldId = null;
    project(plan);
    return;
  }
  // A cancelled run was replaced by a newer one, which reports instead.
  if (error.code !== 'cancelled') set({ viewError: error, projecting: false, progress: null });
}

async function fetchAdvice(plan: Plan): Promise<void> {
  try {
    set({ advice: await call('model-advice', { plan }), adviceError: null });
  } catch (err) {
    set({ adviceError: toError(err) });
  }
}

/** Loads the saved plan (once; again with `force`, e.g. after another ledger was opened). */
export async function loadEditor(force = false): Promise<void> {
  if (state.history && !force) return;
  try {
    const { plan } = await call('plan-get', {});
    set({ history: createHistory(plan), loadError: null, view: null, viewPlan: null, advice: null });
    scheduleProjection();
    void fetchAdvice(plan);
  } catch (err) {
    set({ loadError: toError(err) });
  }
}

/**
 * After an import or a save elsewhere: re-projects over the new events, and takes the saved plan
 * from the ledger as the new baseline without losing edits in progress.
 */
export async function refreshEditor(): Promise<void> {
  const h = state.history;
  if (!h) return loadEditor();
  try {
    const { plan } = await call('plan-get', {});
    const cur = state.history ?? h;
    if (!sameData(plan, cur.saved)) set({ history: isDirty(cur) ? { ...cur, saved: plan } : createHistory(plan) });
    scheduleProjection();
    void fetchAdvice(plan);
  } catch (err) {
    set({ loadError: toError(err) });
  }
}

/** Records an edit made by `fn` on the present plan. Throws the edit's PlanError to the caller. */
export function applyEdit(fn: (plan: Plan) => Plan, label: string, coalesce: string | null = null): void {
  const h = state.history;
  if (!h) return;
  const next = edit(h, fn(h.present), label, coalesce);
  if (next === h) return;
  if (coalesce !== null) {
    // sent now, shown once the typing pauses (the last keystroke's answer only)
    stopTypingPause();
    project(next.present);
    typing = true;
    timer = setTimeout(endTypingPause, PROJECT_DEBOUNCE_MS);
    set({ history: next, saveError: null, projecting: true, cancelled: false });
    return;
  }
  // the request first, then the one render of the edit
  stopTypingPause();
  project(next.present);
  set({ history: next, saveError: null, projecting: true, cancelled: false });
}

/**
 * Stops the running projection (the Cancel beside its progress bar): the screens keep the last
 * projection they had, and the next edit projects again.
 */
export function cancelProjection(): void {
  stopTypingPause();
  seq++;
  set({ projecting: false, progress: null, cancelled: true });
  void call('job-cancel', { jobId: LIVE_JOB }).catch(() => {});
}

/** Projects the present plan again (after a Cancel). */
export function reproject(): void {
  scheduleProjection();
}

export function undoEdit(): void {
  const h = state.history;
  if (!h || !canUndo(h)) return;
  set({ history: undo(h) });
  scheduleProjection();
}

export function redoEdit(): void {
  const h = state.history;
  if (!h || !canRedo(h)) return;
  set({ history: redo(h) });
  scheduleProjection();
}

export async function savePlan(): Promise<boolean> {
  const h = state.history;
  if (!h) return false;
  set({ saving: true, saveError: null });
  try {
    const { plan } = await call('plan-save', { plan: h.present });
    set({ history: markSaved(state.history ?? h, plan), saving: false, savedCount: state.savedCount + 1 });
    return true;
  } catch (err) {
    set({ saving: false, saveError: toError(err) });
    return false;
  }
}

/** Back to the saved plan, as one undoable step. */
export function discardEdits(): void {
  const h = state.history;
  if (!h || !isDirty(h)) return;
  applyEdit(() => h.saved, 'discard changes');
}

export const editorFlags = (h: PlanHistory<Plan> | null) => ({
  canUndo: h !== null && canUndo(h),
  canRedo: h !== null && canRedo(h),
  dirty: planDirty(h),
  undoLabel: h ? undoLabel(h) : null,
  redoLabel: h ? redoLabel(h) : null,
});

// Leaving the field typed in ends the burst.
window.addEventListener('focusout', endTypingPause);

// Closing the window or reloading with unsaved edits asks first.
window.addEventListener('beforeunload', (e) => {
  if (planDirty(state.history)) {
    e.preventDefault();
    e.returnValue = '';
  }
});
