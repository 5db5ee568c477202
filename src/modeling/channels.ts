/**
 * The modeling screens' calls, alone (no schemas), so the preload can name one function per
 * channel without bundling anything else. Spread into API_CHANNELS.
 */
export const MODELING_CHANNELS = [
  'model-project',
  'model-warm',
  'model-advice',
  'model-export',
  'model-forecast',
  'model-load-plan',
  'scenario-list',
  'scenario-save',
  'scenario-rename',
  'scenario-delete',
  'scenario-compare',
] as const;

export type ModelingChannel = (typeof MODELING_CHANNELS)[number];
