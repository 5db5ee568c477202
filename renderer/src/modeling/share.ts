/**
 * Structural sharing between two answers of the same shape: every part of `next` that equals the
 * matching part of `prev` is replaced by `prev`'s object. Each answer arrives as fresh JSON, so
 * without this every key and trigger would be a new object and every memoised row would render
 * again; with it, an edit re-renders only the rows whose figures changed.
 */
export function shareEqual<T>(prev: unknown, next: T): T {
  return share(prev, next) as T;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function share(prev: unknown, next: unknown): unknown {
  if (prev === next) return prev;
  if (Array.isArray(prev) && Array.isArray(next)) {
    let same = prev.length === next.length;
    const out = new Array<unknown>(next.length);
    for (let i = 0; i < next.length; i++) {
      const v = i < prev.length ? share(prev[i] as unknown, next[i] as unknown) : (next[i] as unknown);
      out[i] = v;
      if (same && v !== prev[i]) same = false;
    }
    return same ? prev : out;
  }
  if (isPlain(prev) && isPlain(next)) {
    const nextKeys = Object.keys(next);
    let same = nextKeys.length === Object.keys(prev).length;
    const out: Record<string, unknown> = {};
    for (const k of nextKeys) {
      const v = Object.hasOwn(prev, k) ? share(prev[k], next[k]) : next[k];
      out[k] = v;
      if (same && (!Object.hasOwn(prev, k) || v !== prev[k])) same = false;
    }
    return same ? prev : out;
  }
  // numbers (NaN included), strings, booleans, null, and anything of another shape
  return Object.is(prev, next) ? prev : next;
}
