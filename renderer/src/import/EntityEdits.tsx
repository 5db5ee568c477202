import { useState } from 'react';
import { call, toError } from '../api/client.ts';
import { planDirty, refreshEditor, useEditorSelect } from '../modeling/store.ts';
import type { ApiError } from '../../../src/api/errors.ts';

/**
 * An admin's corrections of what the exports said: a key's or a trigger's name, a trigger's kind.
 * They are kept in the ledger (so the next import keeps them) and written into the saved plan,
 * which every page reads. While the plan has unsaved edits they wait: the saved plan is what they
 * change.
 */
function useLedgerEdit(): { busy: boolean; error: ApiError | null; blocked: string | null; run: (fn: () => Promise<unknown>) => Promise<boolean> } {
  // only whether the plan is dirty: every row of the tables has these, and must not render again on each projection
  const dirty = useEditorSelect((s) => planDirty(s.history));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const blocked = dirty ? 'Save or discard the plan’s changes first' : null;
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await refreshEditor();
      return true;
    } catch (err) {
      setError(toError(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, blocked, run };
}

const EditError = ({ error }: { error: ApiError | null }) =>
  error === null ? null : (
    <div className="why" role="alert">
      {error.message}
    </div>
  );

/** "Rename", then the name in place: Enter or Save keeps it, Escape or Cancel leaves it. */
export function RenameEntity({ type, id, name }: { type: 'api' | 'trigger'; id: string; name: string }) {
  const [text, setText] = useState<string | null>(null);
  const { busy, error, blocked, run } = useLedgerEdit();
  const what = type === 'api' ? 'key' : 'trigger';
  const save = async () => {
    if (text === null) return;
    const next = text.trim();
    if (next === '' || next === name) {
      setText(null);
      return;
    }
    if (await run(() => call('entity-rename', { type, subject: id, name: next }))) setText(null);
  };
  if (text === null) {
    return (
      <>
        <button type="button" className="button small" aria-label={`Rename ${what} ${name}`} title={blocked ?? `Rename ${what} ${name}`} disabled={blocked !== null} onClick={() => setText(name)}>
          Rename
        </button>
        <EditError error={error} />
      </>
    );
  }
  return (
    <span className="rename">
      <input
        aria-label={`New name of ${what} ${name}`}
        value={text}
        maxLength={200}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void save();
          if (e.key === 'Escape') setText(null);
        }}
      />
      <button type="button" className="button small primary" disabled={busy || text.trim() === ''} onClick={() => void save()}>
        Save name
      </button>
      <button type="button" className="button small" onClick={() => setText(null)}>
        Cancel
      </button>
      <EditError error={error} />
    </span>
  );
}

/** A trigger's kind as the history suggested it, for the admin to correct. */
export function TriggerKindMenu({ id, name, kind }: { id: string; name: string; kind: 'webhook' | 'scheduled' }) {
  const { busy, error, blocked, run } = useLedgerEdit();
  return (
    <>
      <select
        className="kind"
        aria-label={`Kind of ${name}`}
        title={blocked ?? 'What fires this trigger: requests (webhook) or a schedule'}
        value={kind}
        disabled={busy || blocked !== null}
        onChange={(e) => void run(() => call('trigger-kind', { subject: id, kind: e.target.value as 'webhook' | 'scheduled' }))}
      >
        <option value="webhook">webhook</option>
        <option value="scheduled">scheduled</option>
      </select>
      <EditError error={error} />
    </>
  );
}
