import type { EventColumns } from '../engine/events.ts';
import { validatePlan } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import { loadPlanFile } from '../engine/plan-file.ts';
import { InputError } from '../errors.ts';
import { openLedgerForReading } from '../ledger/ledger.ts';

/**
 * Shared by `forecast`, `recommend` and `export`: the plan (JSON or YAML, or defaults) and the
 * ledger's events. The file is read by the loader `simulate` uses (src/engine/plan-file.ts).
 */
export function loadPlan(path: string | undefined): Plan {
  if (path === undefined) return validatePlan({}, 'default plan');
  return loadPlanFile(path);
}

export function parseIsoOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InputError(`${name} "${value}" is not an ISO 8601 time`, [{ column: name, value, message: 'not an ISO 8601 time' }]);
  return ms;
}

/**
 * The ledger's events in [--from, --to), and the API keys whose events the platform's exports gave
 * (ledger `exportedKeys`, read with them): only those keys' history can contradict a cap the plan
 * states by going past it (implied-cap.ts).
 */
export function loadLedgerHistory(db: string, from?: string, to?: string): { events: EventColumns; exportedKeys: Set<string> } {
  const range: { from?: number; to?: number } = {};
  const f = parseIsoOption('--from', from);
  const t = parseIsoOption('--to', to);
  if (f !== undefined) range.from = f;
  if (t !== undefined) range.to = t;
  const ledger = openLedgerForReading(db);
  try {
    return ledger.readHistory(range);
  } finally {
    ledger.close();
  }
}

/** "20%", "0.2" or "-10%" → 0.2 / -0.1 */
export function parseShare(name: string, text: string): number {
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new InputError(`${name}: "${text}" is not a share (use 20% or 0.2)`, [{ column: name, value: text, message: 'not a share' }]);
  const v = Number(m[1]);
  return m[2] === '%' ? v / 100 : v;
}

/** Parses repeatable `ID=VALUE` options. */
export function parsePairs(name: string, items: string[] | undefined): [string, string][] {
  return (items ?? []).map((item) => {
    const i = item.lastIndexOf('=');
    if (i <= 0 || i === item.length - 1) throw new InputError(`${name}: "${item}" must look like ID=VALUE`, [{ column: name, value: item, message: 'must look like ID=VALUE' }]);
    return [item.slice(0, i), item.slice(i + 1)];
  });
}

export function parseIntOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new InputError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`, [{ column: name, value: text, message: 'not a whole number in range' }]);
  }
  return Number(text);
}
