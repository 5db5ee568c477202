import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idList } from '../src/engine/events.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import { readLedgerEvents } from '../src/ledger/read.ts';
import { runCli } from './support/run-cli.ts';
import { importFile } from '../src/import/importer.ts';

const ROOT = resolve(import.meta.dirname, '..');
let dir = '';

const PLAN = {
  version: 1,
  workspace: { name: 'Acme', seats: 1, messagesPerSeatPerDay: 2, fairUseShare: 0.5, spendLimits: [{ id: 'daily', amountUsd: 1000, window: 'utc-day' }] },
  apiKeys: [{ id: 'k_mkt', name: 'Marketing', capUsd: 1 }],
  triggers: [{ id: 't_pr', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: 1 }],
  enforcement: { keyCapWindowDays: 30, capCheck: 'spent', webhookWhenLimited: 'queue', maxQueueWaitHours: null },
};

const EVENTS = [
  'id,timestamp,type,subject,cost_usd',
  'e1,2026-01-05T10:00:00.000Z,api,k_mkt,0.6',
  'e2,2026-01-05T10:01:00.000Z,api,k_mkt,0.6',
  'e3,2026-01-05T10:02:00.000Z,api,k_mkt,0.1',
  'e4,2026-01-05T10:00:00Z,trigger,t_pr,',
  'e5,2026-01-05T11:00:00+01:00,trigger,t_pr,',
  'e6,2026-01-05T12:00:00Z,message,alice,',
  'e7,2026-01-05T12:30:00Z,api,k_other,0.25',
  '',
].join('\n');

function file(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const run = runCli;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
  file('plan.json', PLAN);
  file('events.csv', EVENTS);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('headroom simulate', () => {
  it('prints a readable summary with a verdict first', async () => {
    const { code, stdout, stderr } = await run('simulate', join(dir, 'plan.json'), join(dir, 'events.csv'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^LIMITS HIT: 1 API key hit its cap/);
    expect(stdout).toContain('Marketing (k_mkt)');
    expect(stdout).toContain('PR review (t_pr)');
    expect(stdout).toContain('keys: k_other');
  });

  it('prints the report as JSON with --json', async () => {
    const { code, stdout } = await run('simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.keys[0]).toMatchObject({ id: 'k_mkt', capUsd: 1, requests: 3, admitted: 2, blocked: 1, admittedUsd: 1.2, blockedUsd: 0.1, firstBlockedAt: '2026-01-05T10:02:00.000Z' });
    expect(report.keys[0].usableAgainAt).toBe('2026-02-04T10:00:00.000Z');
    expect(report.triggers[0]).toMatchObject({ id: 't_pr', arrivals: 2, admitted: 2, delayed: 1, maxDelayMs: 24 * 3_600_000, rateLimited: true });
    expect(report.allowance).toMatchObject({ limit: 2, blockedMessages: 0 });
    expect(report.pool).toMatchObject({ limit: 1 });
    expect(report.inferred).toEqual({ keys: ['k_other'], triggers: [] });
    expect(report.totals).toMatchObject({ events: 7, admitted: 6, blocked: 1 });
    expect(report.horizon).toBe('2026-02-04T12:30:00.000Z');
  });

  it('writes every decision with --decisions, exactly as SPEC §5', async () => {
    const out = join(dir, 'decisions.ndjson');
    const { code } = await run('simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--decisions', out, '--json');
    expect(code).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe('{"row": 1, "id": "e1", "outcome": "admitted", "admittedAt": "2026-01-05T10:00:00.000Z", "delayMs": 0, "reason": null}');
    expect(lines[2]).toBe('{"row": 3, "id": "e3", "outcome": "blocked", "admittedAt": null, "delayMs": null, "reason": "key_cap"}');
    expect(lines[4]).toBe('{"row": 5, "id": "e5", "outcome": "admitted", "admittedAt": "2026-01-06T10:00:00.000Z", "delayMs": 86400000, "reason": "trigger_limit"}');
    expect(lines[7]).toBe('');
  });

  it('numbers rows as ids when the CSV has no id column, and honours --until', async () => {
    const events = file('noid.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,message,a,\n');
    const out = join(dir, 'noid.ndjson');
    const { code, stdout } = await run('simulate', join(dir, 'plan.json'), events, '--until', '2026-01-06T00:00:00Z', '--decisions', out, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).horizon).toBe('2026-01-06T00:00:00.000Z');
    expect(readFileSync(out, 'utf8')).toBe('{"row": 1, "id": "1", "outcome": "admitted", "admittedAt": "2026-01-05T10:00:00.000Z", "delayMs": 0, "reason": null}\n');
  });
});

describe('bad input: exit 2, the reason on stderr, no output file', () => {
  async function expectInvalid(args: string[], ...fragments: string[]): Promise<string> {
    const out = join(dir, `never-${Math.random().toString(36).slice(2)}.ndjson`);
    const before = readdirSync(dir).sort();
    const { code, stdout, stderr } = await run(...args, '--decisions', out);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    for (const f of fragments) expect(stderr).toContain(f);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(before);
    return stderr;
  }

  it('names the path of an invalid plan field', async () => {
    const plan = file('bad-plan.json', { ...PLAN, triggers: [{ id: 't', mode: 'bogus' }], apiKeys: [{ id: 'k', capUsd: -5 }] });
    await expectInvalid(['simulate', plan, join(dir, 'events.csv')], 'bad-plan.json', 'triggers[0].mode', 'apiKeys[0].capUsd');
  });

  it('refuses a programmatic scheduled trigger', async () => {
    const plan = file('sched.json', { ...PLAN, triggers: [{ id: 'nightly', kind: 'scheduled', mode: 'programmatic' }] });
    await expectInvalid(['simulate', plan, join(dir, 'events.csv')], 'triggers[0].mode', 'scheduled');
  });

  it('refuses unknown plan fields and broken JSON', async () => {
    await expectInvalid(['simulate', file('extra.json', { ...PLAN, seatz: 3 }), join(dir, 'events.csv')], 'seatz');
    await expectInvalid(['simulate', file('broken.json', '{"version": 1,'), join(dir, 'events.csv')], 'broken.json', 'not valid JSON');
  });

  it('names unparseable rows with file, line, column and value', async () => {
    const events = file('bad.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k,1\n2026-01-05T10:00:00Z,api,k,abc\n2026-02-30T10:00:00Z,message,a,\n');
    const stderr = await expectInvalid(['simulate', join(dir, 'plan.json'), events], 'bad.csv:3: cost_usd "abc" is not a number', 'bad.csv:4: timestamp "2026-02-30T10:00:00Z"');
    expect(stderr.trim().split('\n')).toHaveLength(2);
  });

  it('names missing columns', async () => {
    const events = file('cols.csv', 'time,type,subject\n2026-01-05T10:00:00Z,api,k\n');
    await expectInvalid(['simulate', join(dir, 'plan.json'), events], 'cols.csv:1', 'missing columns timestamp, cost_usd');
  });

  it('refuses --until before the last event, or not a time', async () => {
    await expectInvalid(['simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--until', '2026-01-05T11:00:00Z'], 'is before the last event');
    await expectInvalid(['simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--until', 'soon'], '--until "soon"');
  });

  it('names --from and --to in their own parse errors (F10)', async () => {
    const db = join(dir, 'no-ledger.sqlite');
    await expectInvalid(['simulate', join(dir, 'plan.json'), '--db', db, '--from', 'yesterday'], '--from "yesterday" is not an ISO 8601 time');
    await expectInvalid(['simulate', join(dir, 'plan.json'), '--db', db, '--to', 'tomorrow'], '--to "tomorrow" is not an ISO 8601 time');
    const { stderr } = await run('simulate', join(dir, 'plan.json'), '--db', db, '--from', 'yesterday');
    expect(stderr).not.toContain('--until');
  });

  it('says which --until is too early and where the last event is (F17)', async () => {
    const stderr = await expectInvalid(['simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--until', '2026-01-05T11:00:00Z'], '--until 2026-01-05T11:00:00.000Z is before the last event (2026-01-05T12:30:00.000Z)');
    expect(stderr).not.toContain('the horizon must come after every event');
  });

  it('reads a YAML plan like the one export writes, by extension or by content (F9)', async () => {
    const yaml = [
      'version: 1',
      'workspace:',
      '  name: Acme',
      '  seats: 1',
      '  messagesPerSeatPerDay: 2',
      '  fairUseShare: 0.5',
      '  spendLimits:',
      '    - { id: daily, amountUsd: 1000, window: utc-day }',
      'apiKeys:',
      '  - { id: k_mkt, name: Marketing, capUsd: 1 }',
      'triggers:',
      '  - { id: t_pr, name: PR review, kind: webhook, mode: fair_use, limitPer24h: 1 }',
      'enforcement: { keyCapWindowDays: 30, capCheck: spent, webhookWhenLimited: queue, maxQueueWaitHours: null }',
      '',
    ].join('\n');
    const fromJson = JSON.parse((await run('simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--json')).stdout);
    for (const name of ['plan.yaml', 'plan.yml', 'plan-yaml.txt']) {
      const { code, stdout, stderr } = await run('simulate', file(name, yaml), join(dir, 'events.csv'), '--json');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(fromJson);
    }
    // errors still name the file and the field path
    await expectInvalid(['simulate', file('bad-mode.yaml', 'triggers:\n  - id: a\n    mode: sometimes\n'), join(dir, 'events.csv')], 'bad-mode.yaml: triggers[0].mode');
    await expectInvalid(['simulate', file('broken.yaml', 'a: [\n'), join(dir, 'events.csv')], 'broken.yaml', 'not valid YAML');
  });

  it('marks spend limits that came from the defaults (F15), and counts in the singular (F17)', async () => {
    const one = file('one.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k,1\n2026-01-05T10:00:00Z,trigger,t,\n2026-01-05T10:00:00Z,message,u,\n');
    const defaulted = await run('simulate', file('bare.json', { version: 1 }), one);
    expect(defaulted.code).toBe(0);
    expect(defaulted.stdout).toContain('(default; set spendLimits: [] for none)');
    expect(defaulted.stdout).toContain('(1 API request, 1 trigger run, 1 message)');
    const written = await run('simulate', join(dir, 'plan.json'), one);
    expect(written.stdout).toContain('Spend limit daily');
    expect(written.stdout).not.toContain('(default;');
    const none = await run('simulate', file('none.json', { version: 1, workspace: { spendLimits: [] } }), one);
    expect(none.stdout).not.toContain('Spend limit');
  });

  it('refuses missing files and missing arguments', async () => {
    await expectInvalid(['simulate', join(dir, 'nope.json'), join(dir, 'events.csv')], 'nope.json: does not exist');
    await expectInvalid(['simulate', join(dir, 'plan.json'), join(dir, 'nope.csv')], 'nope.csv: does not exist');
    await expectInvalid(['simulate', join(dir, 'plan.json')], 'missing EVENTS.csv');
  });

  it('refuses a --decisions path that cannot be written, before simulating', async () => {
    const { code, stderr } = await run('simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--decisions', join(dir, 'no-such-dir', 'd.ndjson'));
    expect(code).toBe(2);
    expect(stderr).toContain('cannot write there');
    const asDir = await run('simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--decisions', dir);
    expect(asDir.code).toBe(2);
    expect(asDir.stderr).toContain('EISDIR');
  });

  it('exits 2 on usage errors', async () => {
    const { code } = await run('simulate', '--bogus');
    expect(code).toBe(2);
  });
});

describe('simulate --db: events read from a ledger', () => {
  it('gives each event its ledger identity, in time order, over any range', async () => {
    const db = join(dir, 'ids.sqlite');
    const ledger = openLedger(db);
    await importFile(ledger, join(dir, 'events.csv'));
    const t0 = Date.parse('2026-01-05T10:00:00Z');
    const ranges: [number | undefined, number | undefined][] = [[undefined, undefined], [t0 + 1, undefined], [undefined, t0 + 60_000], [t0 + 60_000, t0 + 3 * 3_600_000]];
    for (const [from, to] of ranges) {
      const expected = ledger.readEvents({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
      const got = readLedgerEvents(db, from, to);
      expect(got.count).toBe(expected.count);
      expect(Array.from(got.time)).toEqual(Array.from(expected.time));
      expect(idList(got.ids)).toEqual(idList(expected.ids));
      expect(readLedgerEvents(db, from, to, false).ids).toBeNull();
    }
    ledger.close();
  });
});

describe('bin/headroom.js as a process', () => {
  // The system `node` may be older than the one this project needs; the launcher re-runs itself
  // with the project's Node then. Run it the way `npx headroom` does: through `node` on PATH.
  const launch = (...args: string[]) => spawnSync('node', [join(ROOT, 'bin', 'headroom.js'), ...args], { cwd: dir, encoding: 'utf8' });

  it('exits 0 and writes decisions', () => {
    const r = launch('simulate', 'plan.json', 'events.csv', '--decisions', 'proc.ndjson');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^LIMITS HIT/);
    expect(readFileSync(join(dir, 'proc.ndjson'), 'utf8').split('\n')).toHaveLength(8);
  });

  it('writes the decisions to standard output with --decisions -, the summary to stderr', () => {
    const r = launch('simulate', 'plan.json', 'events.csv', '--decisions', '-');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(JSON.parse(lines[0])).toMatchObject({ row: 1, id: 'e1', outcome: 'admitted' });
    expect(r.stderr).toMatch(/^LIMITS HIT/);
    expect(r.stderr).toContain('Wrote 7 decisions to standard output');
    expect(readdirSync(dir)).not.toContain('-');
  });

  it('with --decisions - and --json keeps stdout pure NDJSON, and a reader that stops early is no error', () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `2026-01-05T10:00:${String(i % 60).padStart(2, '0')}Z,message,u${i},`);
    file('many.csv', ['timestamp,type,subject,cost_usd', ...rows.sort()].join('\n') + '\n');
    const whole = launch('simulate', 'plan.json', 'many.csv', '--decisions', '-', '--json');
    expect(whole.status).toBe(0);
    for (const line of whole.stdout.trimEnd().split('\n')) expect(JSON.parse(line)).toHaveProperty('outcome');
    expect(JSON.parse(whole.stderr).totals.events).toBe(6000);
    // `| head` closes the pipe after a few bytes: the command stops quietly with exit 0.
    const cut = spawnSync('bash', ['-c', `node ${join(ROOT, 'bin', 'headroom.js')} simulate plan.json many.csv --decisions - | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(cut.stdout.trim()).toBe('exit=0');
    expect(cut.stderr).not.toContain('internal error');
  });

  it('runs as `npx headroom` from the repository root, with no build step', () => {
    const r = spawnSync('npx', ['--no-install', 'headroom', 'simulate', join(dir, 'plan.json'), join(dir, 'events.csv'), '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).totals.events).toBe(7);
  });

  it('exits 2 with the reason on stderr and leaves no file behind', () => {
    file('proc-bad.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k,1\n2026-01-05T10:00:00Z,api,k,abc\n');
    const before = readdirSync(dir).sort();
    const r = launch('simulate', 'plan.json', 'proc-bad.csv', '--decisions', 'proc-bad.ndjson');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('headroom: proc-bad.csv:3: cost_usd "abc" is not a number\n');
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
