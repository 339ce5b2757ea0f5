/** One request the fixture server received. */
export interface LoggedRequest {
  method: string;
  /** Host name from the Host header, lower-case, without the port. */
  host: string;
  /** Path and query, as requested. */
  path: string;
  userAgent: string | null;
  /** Arrival time in ms (performance.timeOrigin-based, sub-millisecond). */
  time: number;
}

/** Every request in arrival order; tests read it to check what a crawler fetched and when. */
export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
  }

  clear(): void {
    this.entries.length = 0;
  }

  forHost(host: string): LoggedRequest[] {
    return this.entries.filter((e) => e.host === host);
  }

  paths(host?: string): string[] {
    return (host ? this.forHost(host) : this.entries).map((e) => e.path);
  }

  /** Requests whose path starts with one of the prefixes. */
  matching(prefixes: readonly string[]): LoggedRequest[] {
    return this.entries.filter((e) => prefixes.some((p) => e.path.startsWith(p)));
  }
}
