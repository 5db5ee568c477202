/** What a running call may use besides its input: its cancellation and a way to report progress. */
export interface CallContext {
  signal: AbortSignal;
  progress: (done: number, total: number, phase: string) => void;
}
