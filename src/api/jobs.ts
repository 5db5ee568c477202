/** Calls that carry a job id can be followed (progress events) and cancelled ('job-cancel'). */
export class JobRegistry {
  private readonly running = new Map<string, AbortController>();

  start(jobId: string | undefined): AbortController {
    const controller = new AbortController();
    if (jobId !== undefined) {
      this.running.get(jobId)?.abort();
      this.running.set(jobId, controller);
    }
    return controller;
  }

  finish(jobId: string | undefined, controller: AbortController): void {
    if (jobId !== undefined && this.running.get(jobId) === controller) this.running.delete(jobId);
  }

  cancel(jobId: string): boolean {
    const c = this.running.get(jobId);
    if (!c) return false;
    c.abort();
    this.running.delete(jobId);
    return true;
  }
}
