import { planDirty, savePlan, useEditorSelect } from '../modeling/store.ts';

/**
 * On the screens that show the saved plan (Overview, Projection): says so while the plan being
 * edited on the modeling screens has unsaved changes, and saves them from here. Without it an
 * admin who set seats on Workspace reads this screen's figures as the edited plan's.
 */
export function UnsavedEditsNote({ onSaved }: { onSaved: () => void }) {
  const dirty = useEditorSelect((s) => planDirty(s.history));
  const saving = useEditorSelect((s) => s.saving);
  if (!dirty) return null;
  return (
    <div className="note" role="status" data-testid="unsaved-note">
      This screen shows the <strong>saved</strong> plan. The plan being edited (Workspace, API keys, Triggers) has changes not saved yet, which show
      there.{' '}
      <button
        type="button"
        className="button small primary"
        disabled={saving}
        onClick={() => {
          void savePlan().then((ok) => ok && onSaved());
        }}
      >
        {saving ? 'Saving…' : 'Save the edits and show them here'}
      </button>
    </div>
  );
}
