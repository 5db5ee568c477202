import { constants, platform, setPriority } from 'node:os';

/**
 * The operating system's own say in foreground before background. The cooperative gate
 * (foreground.ts) pauses background work only where it checks its signal, and much of it (the
 * advice's history and forecast paths, a comparison's summary) runs long stretches without a
 * check; meanwhile an edit's answer still has to cross the service's thread and be painted by the
 * page, which need a core too. A background thread lowers its own scheduling priority, so the
 * kernel hands the cores to everything else first and to it whatever is left (all of them when
 * nothing else runs: it is not slowed on an idle machine).
 *
 * Linux only: there the nice value belongs to each thread and `setPriority(0, …)` sets the calling
 * one's. On macOS and Windows the same call would lower the whole process (the window's service
 * with it), so there the gate alone does it.
 */
export const BACKGROUND_PRIORITY = constants.priority.PRIORITY_BELOW_NORMAL;

/** Lowers the calling thread's priority to BACKGROUND_PRIORITY; false where that would reach the whole process, or is refused. */
export function runThisThreadInBackground(): boolean {
  if (platform() !== 'linux') return false;
  try {
    setPriority(0, BACKGROUND_PRIORITY);
    return true;
  } catch {
    // a sandbox that forbids it: the cooperative gate still pauses the work at its checks
    return false;
  }
}
