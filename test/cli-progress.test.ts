import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliProgress } from '../src/cli/progress.ts';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { stream: { isTTY, write: (t: string) => out.push(t) }, out };
}

describe('CLI progress on stderr', () => {
  it('draws stages and shares on a terminal and clears the line at the end', () => {
    let t = 0;
    const s = sink(true);
    const p = cliProgress('export', { stream: s.stream, now: () => t });
    p.step('reading the ledger');
    t = 2000;
    p.step('forecasting');
    t = 2500;
    p.share(0.5, 1);
    p.done();
    const text = s.out.join('');
    expect(text).toContain('export: reading the ledger…');
    expect(text).toContain('export: forecasting… 50 % 3 s');
    expect(s.out[s.out.length - 1]).toBe('\r\x1b[K');
  });

  it('stays quiet when stderr is not a terminal, or with --json', () => {
    const pipe = sink(false);
    cliProgress('recommend', { stream: pipe.stream }).step('x');
    const json = sink(true);
    cliProgress('recommend', { stream: json.stream, json: true }).step('x');
    expect(pipe.out).toEqual([]);
    expect(json.out).toEqual([]);
  });

  it('writes nothing on stderr from `recommend` run through a pipe', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-progress-'));
    try {
      const bin = join(import.meta.dirname, '../bin/headroom.js');
      const node = process.execPath;
      expect(spawnSync(node, [bin, 'demo', '--out', dir, '--days', '30'], { encoding: 'utf8' }).status).toBe(0);
      const db = join(dir, 'l.sqlite');
      expect(spawnSync(node, [bin, 'import', join(dir, 'events.csv'), '--db', db], { encoding: 'utf8' }).status).toBe(0);
      const r = spawnSync(node, [bin, 'recommend', join(dir, 'plan.json'), '--db', db], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('API key caps');
      expect(r.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
