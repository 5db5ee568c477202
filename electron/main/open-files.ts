import { isAbsolute, resolve } from 'node:path';

/**
 * The CSV files the system asks the app to open (the `.csv` association): Windows and Linux put
 * them on the command line (of the first instance, or of a second one, which hands its argv
 * over); macOS sends `open-file`. Only arguments that are not switches and name a .csv count.
 */
export function csvPathsFromArgv(argv: readonly string[], workingDirectory: string, isDefaultApp: boolean): string[] {
  // argv[0] is the executable; under `electron .` argv[1] is the app's folder
  const args = argv.slice(isDefaultApp ? 2 : 1);
  const out: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') || !/\.csv$/i.test(a)) continue;
    out.push(isAbsolute(a) ? a : resolve(workingDirectory, a));
  }
  return out;
}
