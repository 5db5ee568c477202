import type { Status } from '../../../src/api/types.ts';

const LABEL: Record<Status, string> = { limited: 'Rate limited', near: 'Near limit', ok: 'OK' };

/** The status chip: "Rate limited" only where the engine says a call was held back. */
export function Chip({ status, label }: { status: Status; label?: string }) {
  return <span className={`chip chip-${status}`}>{label ?? LABEL[status]}</span>;
}

export function Meter({ share, status }: { share: number | null; status: Status }) {
  if (share === null) return <span className="muted">no limit</span>;
  const w = Math.min(100, Math.max(0, share * 100));
  return (
    <span className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)} aria-label="share of limit">
      <span className={`meter-fill meter-${status}`} style={{ width: `${w}%` }} />
    </span>
  );
}
