/**
 * Progress of a long command on a terminal: one line on stderr, rewritten in place ("recommend:
 * replaying the plan… 12 s"), cleared when done. Silent when stderr is not a terminal (a pipe, a
 * log, CI) or with --json, so scripts read only the command's output.
 */

export interface CliProgress {
  /** a new stage of the work */
  step(label: string): void;
  /** how far the current stage is (done of total) */
  share(done: number, total: number): void;
  /** clears the line */
  done(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export const QUIET: CliProgress = { step: () => {}, share: () => {}, done: () => {} };

export function cliProgress(command: string, options: { json?: boolean; stream?: ProgressStream; now?: () => number } = {}): CliProgress {
  const stream = options.stream ?? process.stderr;
  if (options.json || !stream.isTTY) return QUIET;
  const now = options.now ?? (() => Date.now());
  const started = now();
  let label = '';
  let lastDraw = Number.NEGATIVE_INFINITY;
  let shown = false;
  const draw = (tail: string): void => {
    const seconds = Math.round((now() - started) / 1000);
    stream.write(`\r\x1b[K${command}: ${label}${tail}${seconds >= 1 ? ` ${seconds} s` : ''}`);
    shown = true;
  };
  return {
    step(next) {
      label = next;
      lastDraw = now();
      draw('…');
    },
    share(d, total) {
      // a redraw every 100 ms at most: a terminal is slow to write to
      if (now() - lastDraw < 100 && d < total) return;
      lastDraw = now();
      draw(total > 0 ? `… ${Math.round((100 * Math.min(d, total)) / total)} %` : '…');
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
