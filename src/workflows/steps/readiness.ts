/**
 * Cross-tenant readiness (step 4): both tenant ids, how the consumer is addressed, and, where the
 * plan asks, the B2B guest invitation and the cross-tenant access partner policies through
 * Microsoft Graph. What the signed-in identity may not do becomes a precise checklist (what,
 * where, which role), recorded in the result and the audit trail; it does not fail the recipe.
 */
import { isAzureRequestError } from '../../azure';
import type { PlannedChange, Step } from '../engine';
import type { RecipeEnv, SideEnv } from '../env';
import { describeError } from '../errors';

/** The subset of the Graph client the readiness step uses (src/azure/graph.ts). */
export interface GraphOps {
  inviteGuest(email: string, redirectUrl: string, displayName?: string, options?: { abortSignal?: AbortSignal }): Promise<{ invitedUser?: { id?: string } }>;
  findUserByMail(email: string, options?: { abortSignal?: AbortSignal }): Promise<{ id?: string } | undefined>;
  getPartner(tenantId: string, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  createPartner(policy: Record<string, unknown>, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export function graphOf(s: SideEnv): GraphOps | undefined {
  const c = s.clients as unknown as { graph?: () => GraphOps };
  return typeof c.graph === 'function' ? c.graph() : undefined;
}

export interface ChecklistItem {
  tenantId: string;
  what: string;
  where: string;
  role: string;
  why: string;
}

const GUEST_ROLE = 'Guest Inviter (or User Administrator)';
const POLICY_ROLE = 'Security Administrator';

function denied(e: unknown): boolean {
  return isAzureRequestError(e) && (e.statusCode === 403 || e.statusCode === 401);
}

async function ensurePartner(env: RecipeEnv, s: SideEnv, other: SideEnv, signal: AbortSignal, checklist: ChecklistItem[], done: string[]): Promise<void> {
  const graph = graphOf(s);
  const item: ChecklistItem = {
    tenantId: s.tenantId,
    what: `Add ${other.tenantName} (${other.tenantId}) as an organization in cross-tenant access settings, allowing B2B collaboration ${s.side === 'provider' ? 'outbound to' : 'inbound from'} it`,
    where: `Microsoft Entra admin center of ${s.tenantName} → External Identities → Cross-tenant access settings → Organizational settings → Add organization`,
    role: POLICY_ROLE,
    why: 'so the other tenant\'s users can be invited and sign in',
  };
  if (!graph) return void checklist.push(item);
  try {
    try {
      await graph.getPartner(other.tenantId, { abortSignal: signal });
      return;
    } catch (e) {
      if (!(isAzureRequestError(e) && e.statusCode === 404)) throw e;
    }
    const allow = { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] }, applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] } };
    await graph.createPartner({ tenantId: other.tenantId, ...(s.side === 'provider' ? { b2bCollaborationOutbound: allow } : { b2bCollaborationInbound: allow }) }, { abortSignal: signal });
    done.push(`partner policy for ${other.tenantName} in ${s.tenantName}`);
  } catch (e) {
    if (!denied(e)) throw e;
    checklist.push({ ...item, why: `${item.why} (the signed-in identity may not: ${describeError(e).message})` });
  }
  void env;
}

export function readinessStep(): Step<RecipeEnv> {
  return {
    id: 'readiness',
    title: 'Cross-tenant readiness',
    dependsOn: ['provider.register', 'consumer.register'],
    side: 'both',
    plan: (env) => {
      const out: PlannedChange[] = [{ action: 'check', tenantId: env.provider.tenantId, resource: 'tenants', detail: `provider ${env.provider.tenantId} → consumer ${env.consumer.tenantId}` }];
      if (env.plan.readiness?.partnerPolicy) {
        out.push({ action: 'create' as const, tenantId: env.provider.tenantId, resource: `crossTenantAccessPolicy/partners/${env.consumer.tenantId}`, detail: 'B2B collaboration outbound (or a checklist for a Security Administrator)' });
        out.push({ action: 'create' as const, tenantId: env.consumer.tenantId, resource: `crossTenantAccessPolicy/partners/${env.provider.tenantId}`, detail: 'B2B collaboration inbound (or a checklist for a Security Administrator)' });
      }
      if (env.plan.readiness?.guestInvite && env.plan.invitation.targetEmail) out.push({ action: 'create' as const, tenantId: env.provider.tenantId, resource: `guest ${env.plan.invitation.targetEmail}`, detail: 'B2B guest invitation (or a checklist for a Guest Inviter)' });
      return out;
    },
    async execute(env, ctx) {
      const checklist: ChecklistItem[] = [];
      const done: string[] = [];
      const addressed = env.plan.invitation.targetEmail ? `by email ${env.plan.invitation.targetEmail}` : env.plan.invitation.targetObjectId ? `by tenant ${env.plan.invitation.targetTenantId} and object ${env.plan.invitation.targetObjectId}` : `as the consumer's signed-in principal (${(await env.consumer.principal()).name})`;
      if (env.plan.readiness?.partnerPolicy) {
        await Promise.all([ensurePartner(env, env.provider, env.consumer, ctx.signal, checklist, done), ensurePartner(env, env.consumer, env.provider, ctx.signal, checklist, done)]);
      }
      const email = env.plan.invitation.targetEmail;
      if (env.plan.readiness?.guestInvite && email) {
        const graph = graphOf(env.provider);
        const item: ChecklistItem = { tenantId: env.provider.tenantId, what: `Invite ${email} as a B2B guest`, where: `Microsoft Entra admin center of ${env.provider.tenantName} → Users → New user → Invite external user`, role: GUEST_ROLE, why: 'so the consumer can open what the provider shares with them in the provider tenant (Purview lineage, portal)' };
        if (!graph) checklist.push(item);
        else {
          try {
            const existing = await graph.findUserByMail(email, { abortSignal: ctx.signal });
            if (!existing) {
              await graph.inviteGuest(email, 'https://myapplications.microsoft.com', undefined, { abortSignal: ctx.signal });
              done.push(`guest ${email} invited into ${env.provider.tenantName}`);
            }
          } catch (e) {
            if (!denied(e)) throw e;
            checklist.push({ ...item, why: `${item.why} (the signed-in identity may not: ${describeError(e).message})` });
          }
        }
      }
      for (const c of checklist) ctx.audit({ action: 'readiness.manual', tenantId: c.tenantId, outcome: 'planned', message: `${c.what} — where: ${c.where} — needs: ${c.role}` });
      const summary = [`consumer addressed ${addressed}`, ...done, ...(checklist.length ? [`${checklist.length} step(s) to do by hand: ${checklist.map((c) => `[${c.role}] ${c.what} (${c.where})`).join('; ')}`] : [])].join('; ');
      return { changed: done.length > 0, summary };
    },
  };
}
