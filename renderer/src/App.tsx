import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { OverviewPage } from './pages/Overview.tsx';
import { ImportPage } from './pages/Import.tsx';
import { LedgerContext, NavContext, PAGES } from './nav.ts';
import type { Page } from './nav.ts';
import { call } from './api/client.ts';

// The charts library is large; it loads when the projection is first opened.
const ProjectionPage = lazy(() => import('./pages/Projection.tsx').then((m) => ({ default: m.ProjectionPage })));
// The modeling screens (renderer/src/modeling/), also loaded when first opened.
const ModelingView = lazy(() => import('./modeling/pages.tsx').then((m) => ({ default: m.ModelingView })));
import { isModelingPage } from './modeling/nav.ts';
import { onCommand } from './api/client.ts';

export type { Page } from './nav.ts';

export function App() {
  const [page, setPage] = useState<Page>('overview');
  // Bumped whenever the ledger or the plan changes, so every page refetches.
  const [version, setVersion] = useState(0);
  const [pendingPath, setPendingPath] = useState<string | null>(null);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  // How many events the ledger holds: none means the first-run guidance on every page.
  const [events, setEvents] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    call('ledger-info', {})
      .then((i) => live && setEvents(i.events))
      .catch(() => live && setEvents(null));
    return () => {
      live = false;
    };
  }, [version]);
  const ledger = useMemo(
    () => ({
      events,
      openDemo: async () => {
        await call('ledger-demo', {});
        setPage('overview');
        changed();
      },
    }),
    [events, changed],
  );
  const go = useCallback((p: Page) => {
    setPage(p);
    // the new page's heading takes the focus, as a page load would
    requestAnimationFrame(() => document.getElementById('main')?.focus());
  }, []);

  useEffect(
    () =>
      onCommand((c) => {
        if (c.kind === 'navigate') setPage(c.page);
        else if (c.kind === 'refresh') changed();
        else if (c.kind === 'import-file') {
          setPendingPath(`${c.handle}/${c.name}`);
          setPage('import');
        }
      }),
    [changed],
  );

  // A CSV dropped anywhere on the window starts an import.
  const [dropped, setDropped] = useState<File | null>(null);
  useEffect(() => {
    const over = (e: DragEvent) => e.preventDefault();
    const drop = (e: DragEvent) => {
      e.preventDefault();
      const file = e.dataTransfer?.files[0];
      if (file) {
        setDropped(file);
        setPage('import');
      }
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <NavContext.Provider value={go}>
    <LedgerContext.Provider value={ledger}>
    <a className="skip-link" href="#main">
      Skip to content
    </a>
    <div className="app">
      <nav className="sidebar" aria-label="Sections">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Headroom
        </div>
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className={page === p.id ? 'nav active' : 'nav'}
                aria-current={page === p.id ? 'page' : undefined}
                onClick={() => setPage(p.id)}
              >
                <span>{p.label}</span>
                <small>{p.hint}</small>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        {page === 'overview' && <OverviewPage version={version} onChanged={changed} />}
        {/* mounted while away (it then draws nothing): an import under way keeps its progress and Cancel */}
        <ImportPage
          active={page === 'import'}
          version={version}
          onChanged={changed}
          dropped={dropped}
          pendingPath={pendingPath}
          onConsumed={() => {
            setDropped(null);
            setPendingPath(null);
          }}
        />
        {page === 'projection' && (
          <Suspense fallback={<p className="muted">Loading charts…</p>}>
            <ProjectionPage version={version} onChanged={changed} />
          </Suspense>
        )}
        {isModelingPage(page) && (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <ModelingView page={page} version={version} onSaved={changed} />
          </Suspense>
        )}
      </main>
    </div>
    </LedgerContext.Provider>
    </NavContext.Provider>
  );
}
