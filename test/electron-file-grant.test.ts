import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRANT_FILE_CHANNEL } from '../src/api/channels.ts';
import type { Settled } from '../src/api/errors.ts';
import { GrantedFiles } from '../electron/main/granted-files.ts';
import { registerFileGrant } from '../electron/main/file-grant.ts';
import { buildPreloadApi } from '../electron/preload/api.ts';
import type { IpcMainInvokeEventLike, IpcMainLike } from '../electron/main/types.ts';

// Issue 16: a drop on the desktop window gives main the file's path, never its text through the page.
const APP_URL = 'file:///opt/Headroom/resources/app.asar/out/renderer/index.html';
const fromApp: IpcMainInvokeEventLike = { senderFrame: { url: APP_URL } };

type Handler = (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain(): IpcMainLike & { handlers: Map<string, Handler> } {
  const handlers = new Map<string, Handler>();
  return { handlers, handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c), on: () => undefined, removeAllListeners: () => undefined };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-grant-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('desktop drop: a path to main, a handle to the window', () => {
  it('grants an importable file by path and refuses anything else, granting nothing', async () => {
    const ipc = fakeIpcMain();
    const granted = new GrantedFiles();
    const grantSpy = vi.spyOn(granted, 'grant');
    registerFileGrant(ipc, granted, APP_URL);
    const grant = ipc.handlers.get(GRANT_FILE_CHANNEL)!;
    const csv = join(dir, 'cost.csv.gz');
    writeFileSync(csv, 'x');
    mkdirSync(join(dir, 'folder.csv'));
    writeFileSync(join(dir, 'plan.sqlite'), 'x');

    const ok = (await grant(fromApp, csv)) as Settled<{ handle: string; name: string }>;
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.value.name).toBe('cost.csv.gz');
    expect(granted.resolve(ok.value.handle)).toEqual({ path: csv, name: 'cost.csv.gz' });

    const refusals: [IpcMainInvokeEventLike, unknown, RegExp][] = [
      [{ senderFrame: { url: 'https://evil.example/' } }, csv, /untrusted/],
      // a File the page built itself has no path (webUtils gives '')
      [fromApp, '', /not on the computer/],
      [fromApp, 'cost.csv', /not on the computer/],
      [fromApp, { path: csv }, /not on the computer/],
      [fromApp, join(dir, 'folder.csv'), /folder/],
      [fromApp, join(dir, 'plan.sqlite'), /only \.csv/],
      [fromApp, join(dir, 'gone.csv'), /cannot be read \(ENOENT\)/],
    ];
    for (const [event, raw, message] of refusals) {
      const r = (await grant(event, raw)) as Settled<unknown>;
      expect(r.ok, String(raw)).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(message);
    }
    expect(grantSpy).toHaveBeenCalledTimes(1);
  });

  it('the preload sends the dropped file’s path, never reads its text', async () => {
    const invoke = vi.fn(async (_channel: string, _input: unknown) => ({ ok: true, value: { handle: 'h', name: 'usage.csv' } }));
    const api = buildPreloadApi({ invoke, sendSync: () => ['ledger-info'], on: () => {}, removeListener: () => {} }, (f) => `/home/me/${f.name}`);
    const file = {
      name: 'usage.csv',
      text: () => {
        throw new Error('the text of a dropped file must not be read in the page');
      },
    } as unknown as File;
    expect(await (api.grantFile as (f: File) => Promise<unknown>)(file)).toEqual({ ok: true, value: { handle: 'h', name: 'usage.csv' } });
    expect(invoke).toHaveBeenCalledWith(GRANT_FILE_CHANNEL, '/home/me/usage.csv');
    // without Electron's path lookup (tests, other hosts) there is no grant function at all
    expect(buildPreloadApi({ invoke, sendSync: () => ['ledger-info'], on: () => {}, removeListener: () => {} })).not.toHaveProperty('grantFile');
  });
});
