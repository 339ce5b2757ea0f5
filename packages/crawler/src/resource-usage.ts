/** The process's memory and CPU, in the shapes the stats use. */
export interface ResourceSample {
  /** Resident set size, e.g. "150MB". */
  memory: string;
  /** CPU time over wall time since the start, in percent of one core. */
  cpuPercent: number;
}

/** Process memory and CPU since a starting point. */
export class ResourceUsage {
  private readonly cpuStart = process.cpuUsage();
  private readonly wallStart = performance.now();
  private last: { at: number; sample: ResourceSample } | undefined;

  /**
   * The last reading, or a new one when it is older than `maxAgeMs`. Progress stats are
   * taken after every page, and reading these (system calls) every time was a tenth of a
   * fast crawl's CPU, so they read them at most once a second; the final stats read afresh.
   */
  sample(maxAgeMs: number): ResourceSample {
    const now = performance.now();
    if (this.last && now - this.last.at < maxAgeMs) return this.last.sample;
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = now - this.wallStart;
    const sample = {
      memory: `${Math.round(process.memoryUsage.rss() / (1024 * 1024))}MB`,
      cpuPercent: wallMs <= 0 ? 0 : Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
    };
    this.last = { at: now, sample };
    return sample;
  }
}
