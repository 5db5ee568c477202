/**
 * Shared pieces of the benchmark harness: the shape of a benchmark module (see bench/run.ts) and
 * a way to time a whole child process with its peak memory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** One measured number. With `max`, the run prints PASS when `value < max`, else MISS. */
export interface Figure {
  label: string;
  value: number;
  unit: 's' | 'ms' | 'MB' | 'events/s' | 'rows/s' | 'rows' | 'MB/s' | 'count';
  max?: number;
  note?: string;
}

export interface BenchContext {
  /** repository root */
  root: string;
  log(line: string): void;
}

export interface Benchmark {
  /** e.g. `simulate 1M events (process)` */
  name: string;
  /** `npm run bench -- <group>` runs only this group; e.g. `simulate`, `import`, `forecast` */
  group: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export interface ProcessMeasure {
  exitCode: number | null;
  wallMs: number;
  /** peak resident set size in bytes, null when it could not be read */
  peakRssBytes: number | null;
  /** where peakRssBytes came from */
  rssSource: '/usr/bin/time -v' | '/proc VmHWM' | 'unavailable';
  stdout: string;
  stderr: string;
}

const TIME_BIN = '/usr/bin/time';
let timeChecked = false;

/** GNU time gives the exact peak RSS of a child; install it once when it is missing. */
export function ensureGnuTime(log: (line: string) => void): boolean {
  if (existsSync(TIME_BIN)) return true;
  if (timeChecked) return false;
  timeChecked = true;
  log(`${TIME_BIN} is missing; installing the "time" package to read peak memory…`);
  const r = spawnSync('flock', ['/tmp/apt.lock', 'apt-get', 'install', '-y', 'time'], { stdio: 'ignore', timeout: 300_000 });
  if (r.status !== 0 || !existsSync(TIME_BIN)) {
    log('could not install it; peak memory will be read from /proc while the process runs');
    return false;
  }
  return true;
}

function vmHwmBytes(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `command args` and measures it from outside: wall time from spawn to exit, and peak RSS
 * through GNU time (`Maximum resident set size`), else by polling the child's VmHWM.
 */
export function measureProcess(
  command: string,
  args: string[],
  options: { cwd: string; log: (line: string) => void; gnuTime?: boolean },
): Promise<ProcessMeasure> {
  const useTime = options.gnuTime !== false && ensureGnuTime(options.log);
  const [cmd, argv] = useTime ? [TIME_BIN, ['-v', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < 1_000_000) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 1_000_000) stderr += d;
    });
    let polled: number | null = null;
    const poll = useTime
      ? null
      : setInterval(() => {
          const v = child.pid === undefined ? null : vmHwmBytes(child.pid);
          if (v !== null) polled = Math.max(polled ?? 0, v);
        }, 20);
    child.on('error', (err) => {
      if (poll) clearInterval(poll);
      reject(err);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (poll) clearInterval(poll);
      let peak: number | null = polled;
      let source: ProcessMeasure['rssSource'] = polled === null ? 'unavailable' : '/proc VmHWM';
      if (useTime) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        if (m) {
          peak = Number(m[1]) * 1024;
          source = '/usr/bin/time -v';
        }
        // GNU time exits with the child's code; keep the child's own stderr readable
        stderr = stderr.replace(/(Command exited with non-zero status \d+)?\s*Command being timed:[\s\S]*$/, '');
      }
      resolve({ exitCode: code, wallMs, peakRssBytes: peak, rssSource: source, stdout, stderr });
    });
  });
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
