/** The performance mark the renderer places once new projection charts are on screen. */
export const PROJECTION_PAINTED_MARK = 'headroom:projection-painted';
