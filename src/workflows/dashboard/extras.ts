/**
 * What the other governance features contribute to the dashboard: data-quality results recorded
 * on Purview entities (quality/readQualityFromEntity), the plan's approval requests
 * (approvals/listApprovalRequests; only when a plan names its approval Logic App) and the CMK check
 * of a storage account that uses a customer-managed key (cmk/cmkState: key enabled, expiry, role).
 * Where a feature has nothing to say the dashboard shows "no data" (never a made-up figure).
 */
import { approvalConfig, approvalWhere, listApprovalRequests } from '../approvals';
import { cmkState } from '../cmk';
import type { RecipeEnv } from '../env';
import { readQualityFromEntity } from '../quality';
import type { DashboardExtras } from './gather';

export function dashboardExtras(o: { env?: RecipeEnv } = {}): DashboardExtras {
  const env = o.env;
  return {
    qualityOf(entity) {
      const q = readQualityFromEntity(entity);
      return q && q.passed + q.failed > 0 ? { passed: q.passed, failed: q.failed } : undefined;
    },
    ...(env && approvalConfig(env) ? {
      async approvals(signal?: AbortSignal) {
        const items = await listApprovalRequests(env.provider.clients, approvalWhere(env), { signal });
        return items.map((i) => ({ id: i.id, tenantId: env.provider.tenantId, shareName: env.plan.share.name, requestedAt: i.requestedAt, decidedAt: i.decidedAt, status: i.outcome }));
      },
    } : {}),
    async cmkState(clients, _tenantId, account) {
      const enc = account.encryption as { keySource?: string } | undefined;
      if (!/keyvault/i.test(enc?.keySource ?? '')) return undefined; // Microsoft-managed: nothing more to check
      const sub = /\/subscriptions\/([^/]+)/i.exec(account.id)?.[1] ?? '';
      const rg = /\/resourceGroups\/([^/]+)/i.exec(account.id)?.[1] ?? '';
      const s = await cmkState(clients, sub, rg, account.name);
      const parts = [s.keyEnabled === false ? 'key disabled' : s.keyEnabled ? 'key enabled' : undefined, s.expiresOn ? `expires ${s.expiresOn}` : undefined, s.roleOk === false ? 'identity lacks the key role' : undefined, ...s.problems.map((p) => p.problem)];
      return parts.filter(Boolean).join('; ') || 'ok';
    },
  };
}
