/**
 * The modeling screens behind the shell's navigation (nav.ts lists them, so a new screen needs no
 * further edit in App.tsx).
 */
import { useEffect, useLayoutEffect } from 'react';
import { MODEL_VIEW_PAINTED_MARK } from '../../../src/projection/marks.ts';
import { afterNextPaint } from '../after-paint.ts';
import { WorkspacePage } from '../pages/Workspace.tsx';
import { KeysPage } from '../pages/Keys.tsx';
import { ScenariosPage } from '../pages/Scenarios.tsx';
import { TriggersPage } from '../pages/Triggers.tsx';
import { ExportPage } from '../pages/Export.tsx';
import { ForecastPage } from '../pages/Forecast.tsx';
import { MODEL_VIEW_COMMITTED_MARK, refreshEditor, useEditorSelect } from './store.ts';
import type { ModelingPageId } from './nav.ts';

/** Saves already reported to the shell (the view remounts on each navigation). */
let reportedSaves = 0;

export function ModelingView({ page, version, onSaved }: { page: ModelingPageId; version: number; onSaved: () => void }) {
  // only these two: a progress tick or an edit's pending state does not render the page again
  const savedCount = useEditorSelect((s) => s.savedCount);
  const view = useEditorSelect((s) => s.view);
  // Marks the moment an edit's projection was on screen (once the frame after its commit was
  // painted), for the performance panel and the bench; only the latest is kept.
  useLayoutEffect(() => {
    if (!view) return;
    performance.clearMarks(MODEL_VIEW_COMMITTED_MARK);
    performance.mark(MODEL_VIEW_COMMITTED_MARK);
    return afterNextPaint(() => {
      performance.clearMarks(MODEL_VIEW_PAINTED_MARK);
      performance.mark(MODEL_VIEW_PAINTED_MARK);
    });
  }, [view]);
  useEffect(() => {
    if (version > 0) void refreshEditor();
  }, [version]);
  useEffect(() => {
    if (savedCount > reportedSaves) {
      reportedSaves = savedCount;
      onSaved();
    }
  }, [savedCount, onSaved]);
  switch (page) {
    case 'workspace':
      return <WorkspacePage />;
    case 'keys':
      return <KeysPage />;
    case 'triggers':
      return <TriggersPage />;
    case 'scenarios':
      return <ScenariosPage />;
    case 'forecast':
      return <ForecastPage />;
    case 'export':
      return <ExportPage />;
  }
}
