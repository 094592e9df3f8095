/**
 * The governance gate's policy: which Purview classifications may leave the tenant. Listed
 * classifications are blocked, or pass only with a written justification; data never scanned is
 * "unknown", and the policy says what unknown means. Pure: the gate step feeds it what Purview says.
 */
import { classificationLabel } from './classifications';

export interface GovernancePolicy {
  /** Classification names (e.g. MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER); `*` matches any; a trailing `.*` matches a family. */
  blocked?: string[];
  requireJustification?: string[];
  /** Assets never scanned: allow, block, or pass only with a justification (default justify). */
  unknown?: 'allow' | 'block' | 'justify';
}

export const DEFAULT_POLICY: Required<GovernancePolicy> = {
  blocked: ['MICROSOFT.GOVERNMENT.*', 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER'],
  requireJustification: ['MICROSOFT.PERSONAL.*'],
  unknown: 'justify',
};

export interface AssetClassifications {
  qualifiedName: string;
  /** undefined: the asset was never scanned (no catalog entry). */
  classifications: string[] | undefined;
}

export interface GateDecision {
  decision: 'allow' | 'block' | 'allow-with-justification';
  classifications: string[];
  reasons: string[];
  justification?: string;
}

/** Whether a classification name matches a policy pattern (`*`, a family `X.Y.*`, or the exact name; case-insensitive). */
export function classificationMatches(pattern: string, name: string): boolean {
  const p = pattern.toUpperCase();
  const n = name.toUpperCase();
  if (p === '*') return true;
  if (p.endsWith('.*')) return n.startsWith(p.slice(0, -1));
  return p === n;
}

export function evaluatePolicy(assets: readonly AssetClassifications[], policy: GovernancePolicy = DEFAULT_POLICY, justification?: string): GateDecision {
  const blocked = policy.blocked ?? [];
  const justify = policy.requireJustification ?? [];
  const unknownMode = policy.unknown ?? 'justify';
  const all = new Set<string>();
  const blockReasons: string[] = [];
  const justifyReasons: string[] = [];
  for (const a of assets) {
    if (a.classifications === undefined) {
      const r = `${a.qualifiedName} was never scanned (classifications unknown)`;
      if (unknownMode === 'block') blockReasons.push(r);
      else if (unknownMode === 'justify') justifyReasons.push(r);
      continue;
    }
    for (const c of a.classifications) {
      all.add(c);
      if (blocked.some((p) => classificationMatches(p, c))) blockReasons.push(`${a.qualifiedName} is classified ${classificationLabel(c)} (${c}), which the policy blocks`);
      else if (justify.some((p) => classificationMatches(p, c))) justifyReasons.push(`${a.qualifiedName} is classified ${classificationLabel(c)} (${c}), which needs a justification`);
    }
  }
  const classifications = [...all].sort();
  if (blockReasons.length) return { decision: 'block', classifications, reasons: blockReasons };
  if (justifyReasons.length) {
    if (justification && justification.trim()) return { decision: 'allow-with-justification', classifications, reasons: justifyReasons, justification: justification.trim() };
    return { decision: 'block', classifications, reasons: [...justifyReasons.map((r) => `${r}, and none was given`)] };
  }
  return { decision: 'allow', classifications, reasons: classifications.length ? [`classifications ${classifications.join(', ')} are allowed by the policy`] : ['no classification found'] };
}
