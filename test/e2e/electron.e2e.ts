import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { _electron } from 'playwright-core';
import { SHOTS } from './harness.ts';

/**
 * The packaged path: the real Electron binary with the built main, preload and renderer. It runs
 * only where an Electron binary is present (ELECTRON_OVERRIDE_DIST_PATH, as for `electron`).
 */
const root = resolve(import.meta.dirname, '../..');
const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const binary = dist ? [join(dist, 'electron'), join(dist, 'Electron.app/Contents/MacOS/Electron'), join(dist, 'electron.exe')].find((p) => existsSync(p)) : undefined;

if (!binary) {
  console.warn('Electron test DID NOT RUN: no Electron binary here (set ELECTRON_OVERRIDE_DIST_PATH to a folder holding one).');
}

describe.skipIf(!binary)('Headroom in Electron', () => {
  it('opens the demo in one secure window and answers through the preload', async () => {
    execFileSync(process.execPath, [resolve(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit', timeout: 180_000 });
    const userData = mkdtempSync(join(tmpdir(), 'headroom-electron-'));
    const app = await _electron.launch({
      executablePath: binary!,
      args: [join(root, 'out/main/index.js'), `--user-data-dir=${userData}`, '--no-sandbox'],
      timeout: 60_000,
    });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('keys-table').waitFor({ timeout: 60_000 });
      expect(await page.evaluate('typeof window.require')).toBe('undefined');
      expect(await page.evaluate('typeof window.headroom.workspaceOverview')).toBe('function');
      expect(await page.evaluate('typeof window.headroom.invoke')).toBe('undefined');
      expect(await app.windows()).toHaveLength(1);
      await page.screenshot({ path: join(SHOTS, 'electron-overview.png') });
    } finally {
      await app.close();
      rmSync(userData, { recursive: true, force: true });
    }
  });
});
