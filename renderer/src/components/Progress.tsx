/** A long wait: how far it got, and a Cancel when the wait can be stopped. */
export function ProgressBar({ done, total, label, onCancel }: { done: number; total: number; label: string; onCancel?: () => void }) {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  return (
    <div className="progress-row">
      <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
        <div className="progress-fill" style={{ width: `${share * 100}%` }} />
        <span className="progress-label">
          {/* on a chip of its own: the fill passes under the text, and the text must read on both */}
          <span className="progress-text">
            {label} {Math.round(share * 100)}%
          </span>
        </span>
      </div>
      {onCancel && (
        <button type="button" className="button small" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
