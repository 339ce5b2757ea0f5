/** A URL waiting to be fetched. */
export interface FrontierItem {
  url: string;
  depth: number;
  priority: number;
  /** robots.txt was already asked when the URL was queued (the answer cannot change within a crawl). */
  robotsAllowed: boolean;
}

/**
 * The URLs still to fetch, each once. Breadth-first by default; with priorities, a higher
 * priority goes first and breadth-first order holds within a priority. A URL found again
 * at a smaller depth while it waits keeps the smaller depth.
 */
export class Frontier {
  private readonly seen = new Set<string>();
  private readonly waiting = new Map<string, FrontierItem>();
  private readonly buckets: FrontierItem[][] = [[], [], []];
  private readonly heads = [0, 0, 0];

  constructor(private readonly usePriorities: boolean) {}

  get size(): number {
    return this.waiting.size;
  }

  has(url: string): boolean {
    return this.seen.has(url);
  }

  /** Marks a URL as taken care of (a redirect's target) without queueing it. */
  markSeen(url: string): void {
    this.seen.add(url);
  }

  /** False when the URL was already seen. */
  add(url: string, depth: number, priority = 0, robotsAllowed = false): boolean {
    const queued = this.waiting.get(url);
    if (queued) {
      queued.depth = Math.min(queued.depth, depth);
      return false;
    }
    if (this.seen.has(url)) return false;
    this.seen.add(url);
    const item = { url, depth, priority: this.usePriorities ? Math.max(0, Math.min(2, priority)) : 0, robotsAllowed };
    this.waiting.set(url, item);
    this.buckets[item.priority]!.push(item);
    return true;
  }

  next(): FrontierItem | undefined {
    for (let p = 2; p >= 0; p--) {
      const bucket = this.buckets[p]!;
      let head = this.heads[p]!;
      if (head < bucket.length) {
        const item = bucket[head]!;
        head++;
        // Drop the consumed prefix now and then so a long crawl does not keep every item.
        if (head > 1024 && head * 2 > bucket.length) {
          bucket.splice(0, head);
          head = 0;
        }
        this.heads[p] = head;
        this.waiting.delete(item.url);
        return item;
      }
    }
    return undefined;
  }
}
