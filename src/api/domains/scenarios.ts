import { modelingInputSchemas } from '../modeling.ts';
import { defineCall } from './define.ts';

/** Saved plans beside the current one, and their comparison (src/api/modeling.ts does the work). */
export const scenarioCalls = {
  'scenario-list': defineCall({ input: modelingInputSchemas['scenario-list'], run: async (input, ctx, s) => s.modeling['scenario-list'](input, ctx) }),
  'scenario-save': defineCall({ input: modelingInputSchemas['scenario-save'], run: async (input, ctx, s) => s.modeling['scenario-save'](input, ctx) }),
  'scenario-rename': defineCall({ input: modelingInputSchemas['scenario-rename'], run: async (input, ctx, s) => s.modeling['scenario-rename'](input, ctx) }),
  'scenario-delete': defineCall({ input: modelingInputSchemas['scenario-delete'], run: async (input, ctx, s) => s.modeling['scenario-delete'](input, ctx) }),
  // under: each plan's own enforcement profile, or one for all (SPEC section 9)
  'scenario-compare': defineCall({ input: modelingInputSchemas['scenario-compare'], run: async (input, ctx, s) => s.modeling['scenario-compare'](input, ctx) }),
};
