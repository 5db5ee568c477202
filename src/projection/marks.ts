/** The performance mark the renderer places once new projection charts are on screen. */
export const PROJECTION_PAINTED_MARK = 'headroom:projection-painted';

/** The mark the modeling screens (Workspace, API keys, Triggers, …) place once an edit's projection is on screen. */
export const MODEL_VIEW_PAINTED_MARK = 'headroom:model-view-painted';
