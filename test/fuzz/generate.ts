/**
 * Seeded inputs for the fuzz suite: events CSVs and plans, each a valid file bent by one or more
 * of the ways real files go wrong (random bytes, truncation, NULs, huge fields, invalid UTF-8,
 * BOMs mid-file, unbalanced quotes, extreme numbers and dates, duplicate headers, 100k columns,
 * CR-only line ends). The same seed always makes the same case, so a failure replays from its seed.
 */

// mulberry32, the forecast's own seeded generator: small, fast, good enough to pick mutations
import { makeRng } from '../../src/forecast/rng.ts';

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const TIMES = [
  '2026-01-05T10:00:00Z', '2026-01-05T10:00:00.123Z', '2026-01-05 10:00:00+02:00', '2026-02-29T00:00:00Z', '2025-02-29T00:00:00Z',
  '1790000000000', '0', '-1', '1700000000', '17000000000000', '8640000000000000', '8640000000000001', '99999999999999999999',
  '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1969-12-31T23:59:59Z', '2199-12-31T23:59:59.999Z', '2200-01-01T00:00:00Z',
  '2026-13-01T00:00:00Z', '2026-01-05T25:00:00Z', '2026-01-05T10:00:00', '2026-01-05', 'yesterday', '', ' ', 'NaN', 'Infinity',
  '2026-01-05T10:00:00+99:00', '2026-01-05T10:00:00.9999999999999Z', '１２３', '2026-01-05T10:00:00Z\u0000',
];
const TYPES = ['api', 'trigger', 'message', 'API', ' api ', 'apii', '', 'mesage', '\uFEFFapi', 'trigger\r'];
const SUBJECTS = ['k_mkt', 't_pr', 'u_1', ' k spaced ', '"quoted,comma"', '"say ""hi"""', '', 'ключ', '漢字', 'k\u0000nul', '\uFEFFk', 'k'.repeat(300), '=cmd|calc', '\u202Ertl'];
const COSTS = [
  '0', '0.5', '1.234567', '12.3456789', '', ' ', '-1', '-0', '1e3', '1E-7', '9007199254.740991', '9007199254.740992', '1e308', '99999999999999999999999',
  'NaN', 'Infinity', '$5', '5 USD', '1,5', '0x10', '.5', '5.', '+3', ' '.repeat(2000) + '1', '１',
];

function validRow(r: Rand, i: number, withId: boolean): string {
  const t = 1_790_000_000_000 + i * 60_000 + int(r, 1000);
  const type = pick(r, ['api', 'api', 'trigger', 'message'] as const);
  const subject = type === 'api' ? pick(r, ['k_mkt', 'k_ops']) : type === 'trigger' ? pick(r, ['t_pr', 't_cron']) : 'u_1';
  const cost = type === 'api' ? (int(r, 300) / 100).toFixed(2) : '';
  const iso = new Date(t).toISOString();
  return withId ? `${iso},${type},${subject},${cost},e${i}` : `${iso},${type},${subject},${cost}`;
}

function baseCsv(r: Rand): string {
  const withId = r() < 0.5;
  const rows = 1 + int(r, 30);
  const lines = [withId ? 'timestamp,type,subject,cost_usd,id' : 'timestamp,type,subject,cost_usd'];
  for (let i = 0; i < rows; i++) lines.push(validRow(r, i, withId));
  return `${lines.join(r() < 0.2 ? '\r\n' : '\n')}\n`;
}

const enc = new TextEncoder();

/** One mutation of the bytes; the text mutations work on the decoded text (lossy on purpose). */
const MUTATIONS: readonly ((r: Rand, b: Uint8Array) => Uint8Array)[] = [
  // random bytes anywhere
  (r, b) => {
    const out = Uint8Array.from(b);
    for (let k = 0, n = 1 + int(r, 8); k < n && out.length > 0; k++) out[int(r, out.length)] = int(r, 256);
    return out;
  },
  // truncated
  (r, b) => b.subarray(0, int(r, b.length + 1)),
  // NUL bytes
  (r, b) => splice(b, int(r, b.length + 1), new Uint8Array(1 + int(r, 3))),
  // a huge field (up to 2 MB) in a row
  (r, b) => replaceField(r, b, pick(r, ['x', ' ', '9', '"', ','] as const).repeat(1 + int(r, 2_000_000))),
  // invalid UTF-8
  (r, b) => splice(b, int(r, b.length + 1), Uint8Array.from(pick(r, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]))),
  // a BOM at the start of some line, or in a field
  (r, b) => splice(b, lineStart(r, b), Uint8Array.from([0xef, 0xbb, 0xbf])),
  // unbalanced quote
  (r, b) => splice(b, int(r, b.length + 1), enc.encode('"')),
  // extreme or odd values in one column of one row
  (r, b) => replaceField(r, b, pick(r, [...TIMES, ...TYPES, ...SUBJECTS, ...COSTS])),
  // duplicate or odd header
  (r, b) => replaceLine(b, 0, pick(r, [
    'timestamp,type,subject,cost_usd,cost_usd', 'timestamp,timestamp,type,subject,cost_usd', 'timestamp,type,subject', 'id,timestamp,type,subject,cost_usd,id',
    ' TIMESTAMP , Type ,SUBJECT,Cost_USD', '"timestamp","type","subject","cost_usd"', 'timestamp;type;subject;cost_usd', '', ',,,,',
    'date,agent_name,api_key,source,total_spend_usd', 'timestamp,type,subject,cost_usd,extra,,', '\uFEFFtimestamp,type,subject,cost_usd',
  ])),
  // very many columns (up to 100k)
  (r, b) => replaceLine(b, int(r, 2), manyColumns(1 + int(r, 100_000))),
  // CR-only or mixed line ends
  (r, b) => enc.encode(decode(b).replace(/\r?\n/g, () => pick(r, ['\r', '\r', '\n', '\r\n', '\n\r']))),
  // blank or whitespace lines before the header or between rows
  (r, b) => splice(b, pick(r, [0, lineStart(r, b)]), enc.encode(pick(r, ['\n', '\n\n', '   \n', '\r\n', '\t\n', ' , , , \n']))),
  // lines repeated or dropped
  (r, b) => {
    const lines = decode(b).split('\n');
    const i = int(r, lines.length);
    if (r() < 0.5) lines.splice(i, 0, ...Array(1 + int(r, 50)).fill(lines[i] ?? ''));
    else lines.splice(i, 1);
    return enc.encode(lines.join('\n'));
  },
  // an empty or whitespace-only file
  (r) => enc.encode(pick(r, ['', ' ', '\n', '\uFEFF', '\r\n\r\n', '\u0000'])),
];

const MAX_COLUMNS = 100_000;
/** the line of 100k columns, built once (each case then takes a prefix: the fuzz runs 100k cases) */
let columnsLine = '';
const columnEnds: number[] = [];

/** `timestamp,type,subject,cost_usd,c4,c5,…` with `n` columns */
function manyColumns(n: number): string {
  if (columnsLine === '') {
    const names = Array.from({ length: MAX_COLUMNS }, (_, i) => (i < 4 ? ['timestamp', 'type', 'subject', 'cost_usd'][i]! : `c${i}`));
    let end = 0;
    for (const name of names) columnEnds.push((end += name.length + (columnEnds.length === 0 ? 0 : 1)));
    columnsLine = names.join(',');
  }
  return columnsLine.slice(0, columnEnds[n - 1]);
}

function decode(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

function splice(b: Uint8Array, at: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at), at + insert.length);
  return out;
}

function lineStart(r: Rand, b: Uint8Array): number {
  const starts = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 10 && i + 1 < b.length) starts.push(i + 1);
  return pick(r, starts);
}

function replaceLine(b: Uint8Array, index: number, text: string): Uint8Array {
  const lines = decode(b).split('\n');
  if (index < lines.length) lines[index] = text;
  return enc.encode(lines.join('\n'));
}

function replaceField(r: Rand, b: Uint8Array, value: string): Uint8Array {
  const lines = decode(b).split('\n');
  const i = lines.length > 1 ? 1 + int(r, lines.length - 1) : 0;
  // the line's k-th comma-separated field replaced, found by offsets (a line of 2M commas is not split into 2M strings)
  const line = lines[i] ?? '';
  const commas: number[] = [];
  for (let at = line.indexOf(','); at !== -1; at = line.indexOf(',', at + 1)) commas.push(at);
  const k = int(r, commas.length + 1);
  const start = k === 0 ? 0 : commas[k - 1]! + 1;
  const end = k === commas.length ? line.length : commas[k]!;
  lines[i] = line.slice(0, start) + value + line.slice(end);
  return enc.encode(lines.join('\n'));
}

/** The events CSV of case `seed`: a valid file, then 0 to 3 mutations (a tenth stay valid). */
export function fuzzCsv(seed: number): Uint8Array {
  const r = makeRng(seed);
  let b: Uint8Array = enc.encode(baseCsv(r));
  if (r() < 0.1) return b;
  for (let k = 0, n = 1 + int(r, 3); k < n; k++) b = pick(r, MUTATIONS)(r, b);
  return b;
}

const PLAN_VALUES: readonly unknown[] = [
  null, true, 0, -1, 1e308, -1e308, 2 ** 53, 0.1, 1e-320, '', 'x', '1970-01-01', '9999-12-31T00:00:00Z', [], {}, [1, 2], { a: 1 }, 'k'.repeat(10_000),
];

function basePlan(r: Rand): Record<string, unknown> {
  return {
    version: 1,
    workspace: { name: 'Fuzz', seats: 1 + int(r, 50), messagesPerSeatPerDay: pick(r, [null, 100]), fairUseShare: 0.5, spendLimits: [{ id: 'daily', amountUsd: 100, window: pick(r, ['utc-day', 'calendar-month', 'rolling-30d']) }] },
    apiKeys: [{ id: 'k_mkt', name: 'Marketing', capUsd: pick(r, [null, 5, 50]) }],
    triggers: [{ id: 't_pr', name: 'PR', kind: 'webhook', mode: 'fair_use', limitPer24h: pick(r, [null, 5]) }],
    enforcement: { keyCapWindowDays: 30, capCheck: 'spent', webhookWhenLimited: 'queue', maxQueueWaitHours: null },
  };
}

/** Sets a random path of `obj` (made of its own keys and indices) to `value`. */
function setSomewhere(r: Rand, obj: unknown, value: unknown): void {
  let cur = obj;
  for (let depth = 0; depth < 4; depth++) {
    if (cur === null || typeof cur !== 'object') return;
    const keys = Object.keys(cur);
    if (keys.length === 0) return;
    const k = pick(r, keys);
    const next = (cur as Record<string, unknown>)[k];
    if (next === null || typeof next !== 'object' || r() < 0.4) {
      (cur as Record<string, unknown>)[k] = structuredClone(value);
      return;
    }
    cur = next;
  }
}

/** The plan file text of case `seed` (JSON, or YAML-looking text now and then). */
export function fuzzPlan(seed: number): string {
  const r = makeRng(seed ^ 0x5bd1e995);
  const plan = basePlan(r);
  const n = int(r, 4);
  for (let k = 0; k < n; k++) setSomewhere(r, plan, pick(r, PLAN_VALUES));
  // many entities (ids repeating past 15,000): whatever the mutations above left in place
  if (r() < 0.1) plan.apiKeys = Array.from({ length: int(r, 20_000) }, (_, i) => ({ id: `k${i % 15_000}`, capUsd: i }));
  if (r() < 0.1 && typeof plan.workspace === 'object' && plan.workspace !== null && !Array.isArray(plan.workspace)) {
    (plan.workspace as Record<string, unknown>).spendLimits = Array.from({ length: int(r, 5_000) }, (_, i) => ({ id: `l${i}`, amountUsd: i, window: 'utc-day' }));
  }
  let text = JSON.stringify(plan);
  const m = r();
  if (m < 0.1) text = text.slice(0, int(r, text.length));
  else if (m < 0.15) text = '['.repeat(1 + int(r, 200_000));
  else if (m < 0.2) text = `${'{"a":'.repeat(1 + int(r, 50_000))}1${'}'.repeat(int(r, 50_000))}`;
  else if (m < 0.25) text = `\uFEFF${text}`;
  else if (m < 0.3) text = text.replace(/"/g, pick(r, ["'", '', '\u0000']));
  else if (m < 0.35) text = `workspace:\n  seats: ${pick(r, ['-1', 'x', '1e999', '&a [*a]', '!!js/function "x"'])}\n`;
  else if (m < 0.4) text = `a: &a [${'*a,'.repeat(int(r, 50))}*a]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b]\n`;
  return text;
}
