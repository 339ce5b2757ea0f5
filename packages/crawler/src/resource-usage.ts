/** Process memory and CPU since a starting point, in the shapes the stats use. */
export class ResourceUsage {
  private readonly cpuStart = process.cpuUsage();
  private readonly wallStart = performance.now();

  /** Resident set size, e.g. "150MB". */
  memory(): string {
    return `${Math.round(process.memoryUsage().rss / (1024 * 1024))}MB`;
  }

  /** CPU time over wall time since the start, in percent of one core. */
  cpuPercent(): number {
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = performance.now() - this.wallStart;
    if (wallMs <= 0) return 0;
    return Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10;
  }
}
