// Renders build/icon.svg to the PNG icons electron-builder takes, with Debian's Chromium (no
// image libraries needed): `node build/make-icons.ts`.
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/harness.ts';

const dir = import.meta.dirname;
const svg = readFileSync(join(dir, 'icon.svg'), 'utf8');
const profile = mkdtempSync(join(tmpdir(), 'headroom-icons-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(join(dir, 'icons'), { recursive: true });
  for (const size of [1024, 512, 256, 128, 64, 48, 32, 16]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('width="1024" height="1024"', `width="${size}" height="${size}"`)}</body></html>`);
    const out = size === 1024 ? join(dir, 'icon.png') : join(dir, 'icons', `${size}x${size}.png`);
    await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    console.log(out);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
