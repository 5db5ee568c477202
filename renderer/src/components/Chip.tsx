import type { Status } from '../../../src/views/status.ts';
import { STATUS_LABEL } from '../../../src/views/status.ts';

/**
 * The status chip: the same words for the same status on every page (src/views/status.ts);
 * "Rate limited" only where the engine blocked or delayed something.
 */
export function Chip({ status, detail, label }: { status: Status; detail?: string; label?: string }) {
  return (
    <span className={`chip chip-${status}`} data-status={status} title={detail}>
      {label ?? STATUS_LABEL[status]}
    </span>
  );
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
