/**
 * Pacing of the views' Azure calls (no vscode here, so unit tests load it directly).
 */

/**
 * At most `concurrency` calls in flight and, over time, at most `perSecond` calls a second
 * after a `burst` (a token bucket). ARM allows about 25 reads a second per subscription and
 * principal after a burst of 250; staying under that keeps tree loading free of 429s, and the
 * clients still honour Retry-After when another tool shares the budget.
 */
export class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  private tokens: number;
  private at = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Defaults sit under ARM's read budget for one subscription and principal (a bucket of 250 that
   * refills 25 a second): a whole tree level goes out at once, and a large estate is paced instead
   * of meeting 429s.
   */
  constructor(readonly concurrency = 128, readonly burst = 200, readonly perSecond = 20, private readonly parent?: Limiter) {
    this.tokens = burst;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => { this.queue.push(resolve); this.pump(); });
    try {
      return await (this.parent ? this.parent.run(fn) : fn());
    } finally {
      this.active--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && this.active < this.concurrency) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
      this.at = now;
      if (this.tokens < 1) {
        this.timer ??= setTimeout(() => { this.timer = undefined; this.pump(); }, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
        return;
      }
      this.tokens--;
      this.active++;
      this.queue.shift()!();
    }
  }
}

const limiters = new Map<string, Limiter>();
const tenantSlots = new Map<string, Limiter>();

/**
 * How many of one tenant's calls may be in flight at once, across its subscriptions (each holds an
 * HTTPS connection). Measured on the tree bench (2 cores shared with other work, 630 calls at
 * 100 ms latency): caps of 24, 64 and 128 took 3.6 s, 2.7 s and 3.8 s; each subscription's own
 * limit alone took 2.2 s in an earlier session. No cap was clearly better within the machine's
 * noise, so by default the cap only guards against runaway fan-out. GDS_TENANT_CONCURRENCY
 * overrides it (for measuring).
 */
export const TENANT_CONCURRENCY = Number(process.env.GDS_TENANT_CONCURRENCY) || 512;

/**
 * The limiter every view shares for one budget: ARM counts reads per subscription and principal,
 * so calls under a subscription pass its id too; tenant-level calls (Purview, invitations) pass
 * only the tenant. Every limiter of a tenant also takes a slot of the tenant's connection budget.
 */
export function limiterFor(tenantId: string, subscriptionId?: string): Limiter {
  const key = `${tenantId}/${subscriptionId ?? ''}`.toLowerCase();
  let l = limiters.get(key);
  if (!l) {
    const tenantKey = tenantId.toLowerCase();
    let slots = tenantSlots.get(tenantKey);
    if (!slots) {
      slots = new Limiter(TENANT_CONCURRENCY, 1e9, 1e9);
      tenantSlots.set(tenantKey, slots);
    }
    l = new Limiter(undefined, undefined, undefined, slots);
    limiters.set(key, l);
  }
  return l;
}

/** Runs async work over items with at most `n` at once, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

