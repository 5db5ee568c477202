import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { validatePlan } from '../../engine/plan.ts';
import { ApiFailure } from '../errors.ts';
import { defineCall } from './define.ts';

const filePath = z.string().min(1).max(4096);

export const DEMO_LEDGER_NAME = 'demo-workspace.sqlite';

/** Which ledger is open: its facts, opening another, a new one, the demo workspace. */
export const ledgerCalls = {
  'ledger-info': defineCall({ input: z.strictObject({}), run: async (_input, _ctx, s) => s.info() }),
  'ledger-open': defineCall({
    input: z.strictObject({ path: filePath }),
    fromWindow: false,
    run: async ({ path }, _ctx, s) => {
      if (!existsSync(path)) throw new ApiFailure('not_found', `No ledger at ${path}`, [{ file: path, message: 'file not found' }]);
      await s.open(path, false);
      return s.info();
    },
  }),
  'ledger-new': defineCall({
    input: z.strictObject({ path: filePath }),
    fromWindow: false,
    run: async ({ path }, _ctx, s) => {
      if (existsSync(path)) throw new ApiFailure('invalid_input', `${path} already exists`, [{ file: path, message: 'choose a new file name' }]);
      await s.open(path, false, (store) => store.savePlan(validatePlan({})));
      return s.info();
    },
  }),
  // The first run's "open the demo workspace": its own ledger next to the default one, seeded
  // once, so trying the demo never mixes its events into the admin's own.
  'ledger-demo': defineCall({
    input: z.strictObject({}),
    run: async (_input, _ctx, s) => {
      if (!s.demo) throw new ApiFailure('not_found', 'The demo workspace is not available in this build');
      await s.open(join(s.userDataDir, DEMO_LEDGER_NAME), true);
      return s.info();
    },
  }),
};
