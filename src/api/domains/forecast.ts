import { modelingInputSchemas } from '../modeling.ts';
import { defineCall } from './define.ts';

/** The history carried forward under a plan, with what-ifs (src/api/modeling.ts does the work). */
export const forecastCalls = {
  'model-forecast': defineCall({ input: modelingInputSchemas['model-forecast'], run: async (input, ctx, s) => s.modeling['model-forecast'](input, ctx) }),
};
