import { useId, useMemo, useState } from 'react';
import type { HeldLimitFigure, HeldLimits } from '../../../src/api/types.ts';
import './held-limits.css';

/** Sentences shown before "Show all": a history cut at hundreds of triggers keeps the note short. */
const FEW = 5;

const READING: Record<HeldLimits['profile'], string> = {
  documented: 'as the docs describe the limits',
  platform: 'as the platform’s code enforces the limits',
};

/**
 * The limits this history reached with nothing refused beyond them (src/views/held-limits.ts):
 * the platform's exports hold only what it admitted, so a status of "Within limit" (or a "Rate
 * limited" that the export's completion times explain) must not be read alone. Nothing is shown
 * when no limit was held.
 */
export function HeldLimitsNote({ held }: { held: HeldLimits }) {
  const [all, setAll] = useState(false);
  const headingId = useId();
  const listId = useId();
  const n = held.limits.length;
  if (n === 0) return null;
  const shown = all ? held.limits : held.limits.slice(0, FEW);
  return (
    <section className="held-note" role="note" aria-labelledby={headingId} data-testid="held-limits">
      <h2 id={headingId}>
        Held by the platform’s own limits <span className="h-note">{n === 1 ? '1 limit' : `${n.toLocaleString('en-US')} limits`}</span>
      </h2>
      <p className="held-lead">
        The exports hold only what the platform admitted. {n === 1 ? 'This limit was' : 'These limits were'} full in this history and the replay ({READING[held.profile]})
        found no demand beyond {n === 1 ? 'it' : 'them'}: the platform turned that demand away before it was recorded, so plan for more than the figures below show.
      </p>
      <ul id={listId}>
        {shown.map((h) => (
          <li key={`${h.kind}:${h.id ?? h.name}`} data-held={h.kind} data-held-id={h.id ?? h.kind}>
            {h.sentence}
          </li>
        ))}
      </ul>
      {n > FEW && (
        <button type="button" className="link held-more" aria-expanded={all} aria-controls={listId} onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${n.toLocaleString('en-US')}`}
        </button>
      )}
    </section>
  );
}

/** The mark beside a row's status (nothing when the row's limit was not held): the status word is not to be read alone. */
export function HeldTag({ figure, block = false }: { figure: HeldLimitFigure | undefined; block?: boolean }) {
  if (figure === undefined) return null;
  return (
    <span className={block ? 'held-tag block' : 'held-tag'} title={figure.sentence} data-testid="held-tag">
      held by the platform
      <span className="visually-hidden">: real demand was higher than this history shows</span>
    </span>
  );
}

/** Held limits by what they belong to: `key:<id>`, `trigger:<id>`, `throttle:<key id>`, `allowance`, `pool`, `throttle` (people's). */
export type HeldIndex = ReadonlyMap<string, HeldLimitFigure>;

export const heldKey = (kind: HeldLimitFigure['kind'], id: string | null): string => (id === null ? kind : `${kind}:${id}`);

/** The index, the same object while the held limits' content is the same (a live answer repeating the stored one). */
export function useHeldIndex(held: HeldLimits | undefined): HeldIndex {
  const json = useMemo(() => JSON.stringify(held?.limits ?? []), [held]);
  return useMemo(() => new Map((JSON.parse(json) as HeldLimitFigure[]).map((h) => [heldKey(h.kind, h.id), h])), [json]);
}
