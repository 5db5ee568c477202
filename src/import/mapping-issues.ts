import type { core } from 'zod';
import { norm } from './cells.ts';

/**
 * What is wrong with a column mapping, worded for the admin who wrote it: each problem names its
 * field as `mapping.dateFormat` and says what the field takes. The schema's own words ("Invalid
 * option: expected one of …", "Invalid input") named neither the field's purpose nor the fix, and
 * a missing field read as a wrong value.
 */
export interface MappingProblem {
  /** `mapping.dateFormat`, `mapping.type.value`; `mapping` for the whole */
  field: string;
  value?: string;
  message: string;
}

/** What each field holds, said when it is missing or wrong. */
const FIELD_HELP: Readonly<Record<string, string>> = {
  time: 'the name of the column holding the date or time',
  dateFormat:
    'how the time column writes its dates: "ymd" or "iso" (2026-10-01), "dmy" (01/10/2026, 01.10.2026), "mdy" (10/01/2026), "excel-serial" (46296), "epoch-s" or "epoch-ms"',
  timeOfDay: 'the name of the column holding the time of day beside a date column (14:35), or null',
  timeZone: 'an IANA time zone (Europe/Paris), UTC, or an offset (+02:00)',
  type: '{"column": "<the column holding the type>"} or {"value": "api"} ("trigger", "message") for every row',
  typeValues: 'the file\'s own words for the types, as {"request": "api"}',
  subject: 'the name of the column holding the API key, trigger or user',
  cost: 'the name of the cost column, or null',
  costUnit: '"usd" or "credits"',
  decimal: '"." or ","',
  currency: 'a 3-letter currency code like USD or EUR',
  usdPerUnit: 'the USD for one unit of the currency, a number above 0',
  id: 'the name of a column holding each row\'s own id, or null',
};

const FIELDS = Object.keys(FIELD_HELP);

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The field a misspelt key was likely meant as (`tmeOfDay`, `date_format`), or null. */
function meant(key: string): string | null {
  const k = norm(key);
  const exact = FIELDS.find((f) => norm(f) === k);
  if (exact !== undefined) return exact;
  // one letter dropped, added or changed
  return FIELDS.find((f) => near(norm(f), k)) ?? null;
}

function near(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

/** The schema's issues with `raw`, each as a problem of its field. */
export function mappingProblems(issues: readonly core.$ZodIssue[], raw: unknown): MappingProblem[] {
  const out: MappingProblem[] = [];
  for (const issue of issues) {
    const field = ['mapping', ...issue.path.map(String)].join('.');
    const top = String(issue.path[0] ?? '');
    const help = FIELD_HELP[top];
    const value = valueAt(raw, issue.path);
    const given = value === undefined ? {} : { value: typeof value === 'string' ? value : shown(value) };
    if (issue.path.length === 0 && issue.code === 'invalid_type') {
      out.push({ field, ...given, message: 'is not a JSON object of fields ("time", "dateFormat", "subject", …)' });
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const m = issue.path.length === 0 ? meant(key) : null;
        out.push({
          field: `${field}.${key}`,
          message: `is not a field of a mapping${m !== null ? ` (did you mean "${m}"?)` : issue.path.length === 0 ? ` (its fields: ${FIELDS.join(', ')})` : ''}`,
        });
      }
    } else if (issue.code === 'invalid_union' && top === 'type') {
      out.push({ field, ...given, message: `must be ${FIELD_HELP.type}` });
    } else if (value === undefined) {
      out.push({ field, message: `is missing: give ${help ?? 'it'}` });
    } else if (issue.code === 'invalid_value') {
      const one = issue.values.map((v) => JSON.stringify(v)).join(', ');
      out.push({ field, ...given, message: `${shown(value)} is not valid: give ${help !== undefined && issue.path.length === 1 ? help : `one of ${one}`}` });
    } else if (issue.code === 'too_small' && typeof value === 'string') {
      out.push({ field, ...given, message: `is empty: give ${help ?? 'a value'}` });
    } else {
      out.push({ field, ...given, message: `${shown(value)} is not valid: give ${help ?? issue.message}` });
    }
  }
  return out;
}
