import { createContext, useContext } from 'react';
import { MODELING_PAGES } from './modeling/nav.ts';
import type { ModelingPageId } from './modeling/nav.ts';

export type Page = 'overview' | 'import' | 'projection' | ModelingPageId;

/** The navigation: each page's heading is its label here, so the two always match. */
export const PAGES: { id: Page; label: string; hint: string }[] = [
  { id: 'overview', label: 'Overview', hint: 'What this plan throttles' },
  { id: 'import', label: 'Import', hint: 'Add usage exports' },
  { id: 'projection', label: 'Projection', hint: 'History under the plan' },
  ...MODELING_PAGES,
];

export const pageLabel = (id: Page): string => PAGES.find((p) => p.id === id)?.label ?? id;

/** Moves to another page; empty states link to the step that fills them with it. */
export const NavContext = createContext<(page: Page) => void>(() => {});
export const useGo = (): ((page: Page) => void) => useContext(NavContext);

/** What the ledger holds, known to every page (an empty ledger shows the first-run guidance). */
export const LedgerContext = createContext<{ events: number | null; openDemo: () => Promise<void> }>({ events: null, openDemo: async () => {} });
export const useLedger = () => useContext(LedgerContext);
