/**
 * Fault injection: latency, throttling (429 + Retry-After, ARM's TooManyRequests body), 500/503 and
 * slow long-running operations. Never applied to `/admin/*` or identity routes.
 */
import { ArmError } from './contract';

export type FaultKind = 'latency' | 'throttle' | 'error500' | 'error503' | 'slowLro';

export interface FaultRule {
  /** Regular expression tested (case-insensitively) against the request path. */
  pattern: string;
  /** HTTP methods the rule applies to (default: all). */
  methods?: string[];
  /** Probability 0..1 that a matching request is hit. */
  rate: number;
  kind: FaultKind;
  /** latency: delay per hit; slowLro: how long the operation keeps reporting InProgress. Defaults 500 / 5000. */
  latencyMs?: number;
  /** throttle / error503: Retry-After seconds (default 1). */
  retryAfterSeconds?: number;
  /** Stop applying the rule after this many hits (default: unlimited). Handy for "fail once, then succeed". */
  count?: number;
}

export const FAULT_KINDS: FaultKind[] = ['latency', 'throttle', 'error500', 'error503', 'slowLro'];

interface ActiveRule {
  rule: FaultRule;
  regex: RegExp;
  hits: number;
}

export interface FaultDecision {
  /** Milliseconds to wait before handling. */
  delayMs: number;
  /** Error to answer with instead of handling. */
  error?: { status: number; code: string; message: string; retryAfterSeconds?: number };
  /** Extra InProgress time for an LRO started by this request. */
  slowLroMs: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule: validateRule(rule), regex: new RegExp(rule.pattern, 'i'), hits: 0 }));
  }

  add(rules: FaultRule[]): void {
    this.set([...this.list(), ...rules]);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule }));
  }

  /** How often each rule fired so far (tests check that faults really were injected). */
  stats(): Array<{ kind: FaultKind; pattern: string; hits: number }> {
    return this.rules.map((r) => ({ kind: r.rule.kind, pattern: r.rule.pattern, hits: r.hits }));
  }

  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, slowLroMs: 0 };
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.count !== undefined && active.hits >= rule.count) {
        continue;
      }
      if (rule.methods && !rule.methods.some((m) => m.toUpperCase() === method)) {
        continue;
      }
      if (!active.regex.test(path) || Math.random() >= rule.rate) {
        continue;
      }
      active.hits++;
      switch (rule.kind) {
        case 'latency':
          decision.delayMs += rule.latencyMs ?? 500;
          break;
        case 'slowLro':
          decision.slowLroMs = Math.max(decision.slowLroMs, rule.latencyMs ?? 5000);
          break;
        case 'throttle': {
          const retry = rule.retryAfterSeconds ?? 1;
          decision.error ??= {
            status: 429,
            code: 'TooManyRequests',
            message: `The request is being throttled as the limit has been reached for operation type - ${method === 'GET' ? 'Read' : method === 'DELETE' ? 'Delete' : 'Write'}_ObservationWindow_00:05:00. Please retry after ${retry} seconds. For more information, see https://aka.ms/armthrottling`,
            retryAfterSeconds: retry,
          };
          break;
        }
        case 'error500':
          decision.error ??= { status: 500, code: 'InternalServerError', message: 'Encountered internal server error (injected by a sandbox fault rule). Retry the request.' };
          break;
        case 'error503':
          decision.error ??= {
            status: 503,
            code: 'ServiceUnavailable',
            message: 'The service is temporarily unavailable (injected by a sandbox fault rule). Retry after the interval in Retry-After.',
            retryAfterSeconds: rule.retryAfterSeconds ?? 1,
          };
          break;
      }
    }
    return decision;
  }
}

function validateRule(rule: FaultRule): FaultRule {
  if (!rule || typeof rule.pattern !== 'string') {
    throw new ArmError(400, 'InvalidFaultRule', "A fault rule needs 'pattern' (a regular expression on the path), 'rate' (0..1) and 'kind'.");
  }
  try {
    new RegExp(rule.pattern);
  } catch (err) {
    throw new ArmError(400, 'InvalidFaultRule', `The fault pattern '${rule.pattern}' is not a valid regular expression: ${(err as Error).message}`);
  }
  if (typeof rule.rate !== 'number' || !(rule.rate >= 0 && rule.rate <= 1)) {
    throw new ArmError(400, 'InvalidFaultRule', `The fault rate must be a number from 0 to 1; got '${String(rule.rate)}'.`);
  }
  if (!FAULT_KINDS.includes(rule.kind)) {
    throw new ArmError(400, 'InvalidFaultRule', `Unknown fault kind '${String(rule.kind)}'. Use one of: ${FAULT_KINDS.join(', ')}.`);
  }
  return { ...rule };
}

/** Parses the CLI form `kind:rate[:pattern]`, e.g. `throttle:0.1:/providers/Microsoft.Storage`. */
export function parseFaultFlag(flag: string): FaultRule {
  const [kind, rate, ...rest] = flag.split(':');
  const rule: FaultRule = { kind: kind as FaultKind, rate: Number(rate), pattern: rest.length > 0 ? rest.join(':') : '.*' };
  try {
    return validateRule(rule);
  } catch (err) {
    throw new Error(`--fault ${flag}: ${(err as Error).message} (format: kind:rate[:pattern])`);
  }
}
