/**
 * Watches a response in flight: calls `onIdle` once the upstream has sent nothing for `idleMs`,
 * and `onQuiet` whenever the client has been sent nothing for `quietMs` (time for a ping).
 * One interval per stream rather than a timer per chunk.
 */
export class Watchdog {
  private lastUpstream = Date.now();
  private lastClient = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
    private readonly quiet?: { ms: number; onQuiet: () => void },
  ) {
    const tick = Math.max(5, Math.min(idleMs, quiet?.ms ?? Number.POSITIVE_INFINITY) / 3);
    this.timer = setInterval(() => this.check(), tick);
  }

  upstreamActive(): void {
    this.lastUpstream = Date.now();
  }

  clientSent(): void {
    this.lastClient = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = Date.now();
    if (now - this.lastUpstream >= this.idleMs) {
      this.stop();
      this.onIdle();
      return;
    }
    if (this.quiet && now - this.lastClient >= this.quiet.ms) {
      this.lastClient = now;
      this.quiet.onQuiet();
    }
  }
}
