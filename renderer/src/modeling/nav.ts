/** The modeling screens in the shell's navigation; the screens themselves load on first use. */
export const MODELING_PAGES = [
  { id: 'workspace', label: 'Workspace', hint: 'Seats, pool, spend limits' },
  { id: 'keys', label: 'API keys', hint: 'Caps and recommendations' },
  { id: 'triggers', label: 'Triggers', hint: 'Modes, limits, support' },
  { id: 'scenarios', label: 'Scenarios', hint: 'Save and compare plans' },
  { id: 'forecast', label: 'Forecast', hint: 'Bands and capped-out dates' },
  { id: 'export', label: 'Export', hint: 'Plan, CSV, requests, report' },
] as const;

export type ModelingPageId = (typeof MODELING_PAGES)[number]['id'];

export function isModelingPage(page: string): page is ModelingPageId {
  return MODELING_PAGES.some((p) => p.id === page);
}
