/**
 * The last pass's objects, kept so that their hidden classes stay alive between passes.
 *
 * V8's optimized code refers weakly to the hidden classes (maps) of the objects it was compiled
 * for, and a major garbage collection that finds one of them dead throws that code away
 * ("embedded weak objects cleared"). A class instance's final map hangs off its class's initial
 * map by a weak transition. So once a pass ended and its limiters, heaps and the pass itself died,
 * each major collection discarded the engine's compiled passes, and the next edit ran in slower
 * tiers until they were compiled again. At 1M events the seats edit after a collection took
 * 105-141 ms of CPU against 70-80 ms for the others (in-process, `gc()` forced between edits).
 * In the compute worker a major collection comes every few edits, so that was most of the spread
 * between one seats edit and the next. Keeping the last instance of each shape costs only that
 * pass's own objects, which the next pass of the kind replaces.
 */
const kept = new Map<string, object>();

/** Keeps `objects` (a pass's limiters, its state) until the next pass of kind `kind`. */
export function keepShapes(kind: string, objects: object): void {
  kept.set(kind, objects);
}
