/**
 * Which key or trigger's detail view is open. Kept outside the pages so that a row clicked on the
 * Overview opens the same detail on API keys or Triggers.
 */
import { useSyncExternalStore } from 'react';

export type Detail = { kind: 'key' | 'trigger'; id: string } | null;

let detail: Detail = null;
const listeners = new Set<() => void>();

export function openDetail(next: Detail): void {
  detail = next;
  for (const l of listeners) l();
}

export function useDetail(): Detail {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => detail,
  );
}
