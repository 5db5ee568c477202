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
      await s.open(path, false, async (store) => store.savePlan(validatePlan({})));
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
  // an admin's name for a key, trigger or person (null: back to the name the exports carry)
  'entity-rename': defineCall({
    input: z.strictObject({ type: z.enum(['api', 'trigger', 'message']), subject: z.string().min(1).max(512), name: z.string().trim().min(1).max(200).nullable() }),
    run: async ({ type, subject, name }, _ctx, s) => {
      return { plan: await s.adoptLedgerFacts({ kind: 'rename', type, subject, name }) };
    },
  }),
  // a trigger's kind as the admin knows it (null: back to the kind inferred from the history)
  'trigger-kind': defineCall({
    input: z.strictObject({ subject: z.string().min(1).max(512), kind: z.enum(['webhook', 'scheduled']).nullable() }),
    run: async ({ subject, kind }, _ctx, s) => {
      const store = await s.store();
      const plan = s.plan();
      // the plan format has no programmatic schedule (SPEC): say so rather than store a kind the plan cannot take
      const mode = store.planWithLedgerFacts(plan).triggers.find((t) => t.id === subject)?.mode;
      if (kind === 'scheduled' && mode === 'programmatic' && plan.enforcement.profile !== 'platform') {
        throw new ApiFailure('invalid_input', `${subject} runs in programmatic mode: a plan schedules only fair-use triggers (switch its mode to fair use first)`, [
          { column: 'kind', value: kind, message: 'programmatic triggers are webhooks in the plan' },
        ]);
      }
      return { plan: await s.adoptLedgerFacts({ kind: 'trigger-kind', subject, triggerKind: kind }) };
    },
  }),
};
