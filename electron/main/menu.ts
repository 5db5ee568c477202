/** Menu items as data: main turns them into a native menu; tests read them as they are. */
export interface MenuItemSpec {
  label?: string;
  role?: 'editMenu' | 'viewMenu' | 'windowMenu' | 'appMenu' | 'quit' | 'about' | 'recentDocuments' | 'clearRecentDocuments';
  accelerator?: string;
  type?: 'separator';
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface MenuActions {
  newPlan(): void;
  openLedger(): void;
  importCsv(): void;
  exportPlan(): void;
  openRecent(path: string): void;
  learnMore(): void;
}

export function buildMenuTemplate(actions: MenuActions, recent: string[], platform: NodeJS.Platform): MenuItemSpec[] {
  const file: MenuItemSpec = {
    label: 'File',
    submenu: [
      { label: 'New Plan…', accelerator: 'CmdOrCtrl+N', click: actions.newPlan },
      { label: 'Open Ledger…', accelerator: 'CmdOrCtrl+O', click: actions.openLedger },
      {
        label: 'Open Recent',
        submenu: recent.length ? recent.map((p) => ({ label: p, click: () => actions.openRecent(p) })) : [{ label: 'No recent ledgers', enabled: false }],
      },
      { type: 'separator' },
      { label: 'Import CSV…', accelerator: 'CmdOrCtrl+I', click: actions.importCsv },
      { label: 'Export Plan…', accelerator: 'CmdOrCtrl+E', click: actions.exportPlan },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const help: MenuItemSpec = { label: 'Help', submenu: [{ label: 'Learn More', click: actions.learnMore }, ...(platform === 'darwin' ? [] : [{ role: 'about' as const }])] };
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    file,
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    help,
  ];
}
