/**
 * When the compute worker runs the paths an edit of the saved plan takes (model-warm, once per
 * plan and events), so that the first edit after opening is as quick as the later ones. Failure
 * costs only that first edit's speed.
 *
 * Apart from the editor's store: the store comes with the modeling screens' chunk, which loads when
 * one of them is first opened, so a hook there on the first overview was registered only after
 * that overview had long been answered, and the warm-up started with the modeling screen, while
 * the admin was about to type. The Overview page (in the main chunk) arms it instead.
 */
import { call, onAnswered } from '../api/client.ts';
import { afterNextPaint } from '../after-paint.ts';

/**
 * Idle, but not for long: the warm-up runs in the compute worker (a second or more of one core on
 * a busy machine at 1M events), and an admin who opens API keys right after the overview types a
 * cap within a second or two. An idle moment of a page that keeps rendering comes late.
 */
const WARM_IDLE_WAIT_MS = 250;

/** Once the frame that shows an answer is painted, and the page idle (or WARM_IDLE_WAIT_MS passed): model-warm. */
export function warmEditsWhenIdle(): void {
  afterNextPaint(() => {
    requestIdleCallback(() => void call('model-warm', {}).catch(() => {}), { timeout: WARM_IDLE_WAIT_MS });
  });
}

let armed = false;
/** The first overview answered (the window's first screen) warms the edit paths; later calls do nothing. */
export function warmEditsAfterFirstOverview(): void {
  if (armed) return;
  armed = true;
  const off = onAnswered('workspace-overview', () => {
    off();
    warmEditsWhenIdle();
  });
}
