import { modelingInputSchemas } from '../modeling.ts';
import { defineCall } from './define.ts';

/** The recommended configuration as the files the admin takes away (src/api/modeling.ts does the work). */
export const exportCalls = {
  'model-export': defineCall({ input: modelingInputSchemas['model-export'], run: async (input, ctx, s) => s.modeling['model-export'](input, ctx) }),
};
