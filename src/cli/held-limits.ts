/**
 * The held limits under `headroom simulate`'s summary. The judgement is the core's
 * (src/views/held-limits.ts), shared with the app's Overview; these are the command line's lines.
 */
import type { HeldLimit } from '../views/held-limits.ts';
import type { InferredAboveDefault } from '../views/inferred-above-default.ts';

export type { HeldLimit } from '../views/held-limits.ts';

/** The lines under the summary; '' when no limit was held. */
export function formatHeldLimits(held: readonly HeldLimit[]): string {
  return listUnder(
    [
      'Held at a limit? These limits were full although the replay refused nothing there. An export holds only what',
      "the platform admitted, so if these events come from one, its own limits cut them: demand beyond them is not in it.",
    ],
    held,
  );
}

/** The lines for webhooks the plan infers at the default that ran above it; '' when none. */
export function formatInferredAboveDefault(found: readonly InferredAboveDefault[]): string {
  return listUnder(
    [
      'Above the default limit? The plan names no limit for these webhooks, so the replay holds them at the',
      "platform's default of 42 runs per 24 h, yet their history ran more: if it is the platform's export, the platform",
      'let them run at a higher limit than the plan states; if it is demand, the default is what the plan chose.',
    ],
    found,
  );
}

/** A blank line, the heading's lines, then one line an item; '' when there is none. */
function listUnder(heading: readonly string[], items: readonly { text: string }[]): string {
  if (items.length === 0) return '';
  return `${['', ...heading, ...items.map((i) => `  - ${i.text}.`)].join('\n')}\n`;
}
