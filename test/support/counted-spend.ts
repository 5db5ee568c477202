import type { Ledger } from '../../src/ledger/ledger.ts';
import { eventsOf } from '../fixtures/ledger-helpers.ts';
import type { DustWorkspace } from './dust-exports.ts';

/**
 * Counted spend per `key:<name>` / `agent:<name>` and UTC day, as the ledger's events say: what the
 * generator's `truth` holds, so that an import of both exports can be checked to count each dollar once.
 */
export function countedSpend(l: Ledger, ws: DustWorkspace): Map<string, number> {
  const agentOf = new Map(ws.triggers.filter((t) => t.programmatic).map((t) => [t.id, t.agent]));
  const out = new Map<string, number>();
  for (const e of eventsOf(l)) {
    let s: string | null = null;
    if (e.type === 'api') s = `key:${e.subject}`;
    else if (e.type === 'trigger' && e.subject.startsWith('no-key:')) s = `agent:${e.subject.slice(7)}`;
    else if (e.type === 'trigger' && agentOf.has(e.subject)) s = `agent:${agentOf.get(e.subject)!}`;
    if (s === null) continue;
    const k = `${s}|${e.time.slice(0, 10)}`;
    out.set(k, (out.get(k) ?? 0) + e.cost);
  }
  return out;
}

/** The non-zero entries in key order, for a comparison that reads well when it fails. */
export function sortedSpend(m: Map<string, number>): [string, number][] {
  return [...m].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
}
