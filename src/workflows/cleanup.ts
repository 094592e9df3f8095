/**
 * Cleanup (step 12): the plan lists everything that will be deleted in each tenant; execution
 * deletes in a safe order (revoke, share subscriptions, shares, accounts, resource groups),
 * waits for the long-running deletes, and removes the cross-tenant settings and guest users
 * through Graph where the signed-in identity may (otherwise lists them to remove by hand).
 * Idempotent: what is already gone is skipped.
 */
import { isAzureRequestError } from '../azure';
import type { Step } from './engine';
import type { RecipeEnv, SideEnv } from './env';
import { describeError } from './errors';
import { accountRef, getOrUndefined } from './steps/common';
import { cmkCleanupStep } from './steps/cmk';
import { graphOf } from './steps/readiness';
import { shareRef, subscriptionRef } from './steps/sharing';

type S = Step<RecipeEnv>;

export function cleanupSteps(): S[] {
  const rgDelete = (which: 'provider' | 'consumer'): S => ({
    id: `cleanup.${which}.resourceGroup`,
    title: `Delete the ${which} resource group`,
    dependsOn: [`cleanup.${which}.accounts`, `cleanup.${which}.cmk`],
    side: which,
    plan: (env) => [{ action: 'delete', tenantId: env[which].tenantId, resource: env[which].plan.resourceGroup, detail: `resource group with everything in it (storage account ${env[which].plan.storageAccount} and its data${env[which].plan.purviewAccount ? `, Purview ${env[which].plan.purviewAccount}` : ''})` }],
    async execute(env, ctx) {
      const s = env[which];
      const res = s.clients.resources(s.subscriptionId);
      if (!(await getOrUndefined(() => res.resourceGroups.get(s.plan.resourceGroup, { abortSignal: ctx.signal })))) return { changed: false, summary: 'already deleted' };
      ctx.report(`deleting resource group ${s.plan.resourceGroup} (waits for Azure)`);
      await res.resourceGroups.deleteAndWait(s.plan.resourceGroup, { abortSignal: ctx.signal });
      return { changed: true, summary: `deleted ${s.plan.resourceGroup}` };
    },
  });
  const accounts = (which: 'provider' | 'consumer', after: string): S => ({
    id: `cleanup.${which}.accounts`,
    title: `Delete the ${which} Data Share and Purview accounts`,
    dependsOn: [after],
    side: which,
    plan: (env) => [
      { action: 'delete', tenantId: env[which].tenantId, resource: `${env[which].plan.resourceGroup}/${env[which].plan.dataShareAccount}`, detail: 'Data Share account' },
      ...(env[which].plan.purviewAccount ? [{ action: 'delete' as const, tenantId: env[which].tenantId, resource: `${env[which].plan.resourceGroup}/${env[which].plan.purviewAccount}`, detail: 'Purview account (its catalog, scans and lineage)' }] : []),
    ],
    async execute(env, ctx) {
      const s = env[which];
      const o = { abortSignal: ctx.signal };
      let changed = false;
      if (await getOrUndefined(() => s.clients.dataShare.accounts.get(accountRef(s), o))) {
        await s.clients.dataShare.accounts.deleteAndWait(accountRef(s), { ...o, intervalInMs: env.pollIntervalMs });
        changed = true;
      }
      const pv = s.plan.purviewAccount;
      if (pv && (await getOrUndefined(() => s.clients.purview(s.subscriptionId).accounts.get(s.plan.resourceGroup, pv, o)))) {
        await s.clients.purview(s.subscriptionId).accounts.deleteAndWait(s.plan.resourceGroup, pv, o);
        changed = true;
      }
      return { changed, summary: changed ? 'accounts deleted' : 'accounts already gone' };
    },
  });
  return [
    {
      id: 'cleanup.revoke',
      title: 'Revoke the consumers of the share',
      dependsOn: [],
      side: 'provider',
      plan: (env) => [{ action: 'update', tenantId: env.provider.tenantId, resource: `${env.provider.plan.dataShareAccount}/${env.plan.share.name}/shareSubscriptions`, detail: 'revoke every active consumer (no further snapshots)' }],
      async execute(env, ctx) {
        const ds = env.provider.clients.dataShare;
        if (!(await getOrUndefined(() => ds.shares.get(shareRef(env), { abortSignal: ctx.signal })))) return { changed: false, summary: 'share already gone' };
        let n = 0;
        for (const s of (await ds.providerShareSubscriptions.listByShare(shareRef(env), { abortSignal: ctx.signal }).collect()).items) {
          if (s.properties?.shareSubscriptionStatus !== 'Active') continue;
          await ds.providerShareSubscriptions.revokeAndWait({ ...shareRef(env), providerShareSubscriptionId: s.name as string }, { abortSignal: ctx.signal, intervalInMs: env.pollIntervalMs });
          n++;
        }
        return { changed: n > 0, summary: n ? `revoked ${n} consumer(s)` : 'no active consumer' };
      },
    },
    {
      id: 'cleanup.subscription',
      title: 'Delete the share subscription (consumer)',
      dependsOn: ['cleanup.revoke'],
      side: 'consumer',
      plan: (env) => [{ action: 'delete', tenantId: env.consumer.tenantId, resource: `${env.consumer.plan.dataShareAccount}/${env.plan.subscription.name}`, detail: 'share subscription, its mappings and triggers (received data stays until its storage goes)' }],
      async execute(env, ctx) {
        const ds = env.consumer.clients.dataShare;
        if (!(await getOrUndefined(() => ds.shareSubscriptions.get(subscriptionRef(env), { abortSignal: ctx.signal })))) return { changed: false, summary: 'already deleted' };
        await ds.shareSubscriptions.deleteAndWait(subscriptionRef(env), { abortSignal: ctx.signal, intervalInMs: env.pollIntervalMs });
        return { changed: true, summary: `deleted ${env.plan.subscription.name}` };
      },
    },
    {
      id: 'cleanup.share',
      title: 'Delete the share (provider)',
      dependsOn: ['cleanup.subscription'],
      side: 'provider',
      plan: (env) => [{ action: 'delete', tenantId: env.provider.tenantId, resource: `${env.provider.plan.dataShareAccount}/${env.plan.share.name}`, detail: 'share with its datasets, invitations and schedule' }],
      async execute(env, ctx) {
        const ds = env.provider.clients.dataShare;
        if (!(await getOrUndefined(() => ds.shares.get(shareRef(env), { abortSignal: ctx.signal })))) return { changed: false, summary: 'already deleted' };
        await ds.shares.deleteAndWait(shareRef(env), { abortSignal: ctx.signal, intervalInMs: env.pollIntervalMs });
        return { changed: true, summary: `deleted ${env.plan.share.name}` };
      },
    },
    accounts('provider', 'cleanup.share'),
    accounts('consumer', 'cleanup.subscription'),
    cmkCleanupStep('provider', 'cleanup.provider.accounts'),
    cmkCleanupStep('consumer', 'cleanup.consumer.accounts'),
    rgDelete('provider'),
    rgDelete('consumer'),
    {
      id: 'cleanup.crossTenant',
      title: 'Cross-tenant settings and guest users',
      dependsOn: ['cleanup.provider.resourceGroup', 'cleanup.consumer.resourceGroup'],
      side: 'both',
      plan: (env) => [
        ...(env.plan.readiness?.partnerPolicy ? [env.provider, env.consumer].map((s) => ({ action: 'delete' as const, tenantId: s.tenantId, resource: `crossTenantAccessPolicy/partners/${s === env.provider ? env.consumer.tenantId : env.provider.tenantId}`, detail: 'partner policy (through Graph where allowed, else by hand: Security Administrator)' })) : []),
        ...(env.plan.readiness?.guestInvite && env.plan.invitation.targetEmail ? [{ action: 'delete' as const, tenantId: env.provider.tenantId, resource: `guest ${env.plan.invitation.targetEmail}`, detail: 'guest user (through Graph where allowed, else by hand: User Administrator)' }] : []),
      ],
      async execute(env, ctx) {
        const done: string[] = [];
        const manual: string[] = [];
        const attempt = async (what: string, role: string, fn: () => Promise<void>) => {
          try {
            await fn();
          } catch (e) {
            if (isAzureRequestError(e) && e.statusCode === 404) return;
            if (isAzureRequestError(e) && (e.statusCode === 403 || e.statusCode === 401)) manual.push(`${what} [needs ${role}: ${describeError(e).message}]`);
            else throw e;
          }
        };
        if (env.plan.readiness?.partnerPolicy) {
          for (const [s, other] of [[env.provider, env.consumer], [env.consumer, env.provider]] as Array<[SideEnv, SideEnv]>) {
            const g = graphOf(s) as unknown as { deletePartner?: (t: string, o?: unknown) => Promise<void> } | undefined;
            const what = `remove ${other.tenantName} from the cross-tenant access settings of ${s.tenantName}`;
            if (!g?.deletePartner) manual.push(what);
            else await attempt(what, 'Security Administrator', async () => { await g.deletePartner!(other.tenantId, { abortSignal: ctx.signal }); done.push(what); });
          }
        }
        const email = env.plan.invitation.targetEmail;
        if (env.plan.readiness?.guestInvite && email) {
          const g = graphOf(env.provider) as unknown as { findUserByMail?: (e: string, o?: unknown) => Promise<{ id?: string } | undefined>; deleteUser?: (id: string, o?: unknown) => Promise<void> } | undefined;
          const what = `delete the guest ${email} from ${env.provider.tenantName}`;
          if (!g?.deleteUser || !g.findUserByMail) manual.push(what);
          else await attempt(what, 'User Administrator', async () => {
            const u = await g.findUserByMail!(email, { abortSignal: ctx.signal });
            if (u?.id) { await g.deleteUser!(u.id, { abortSignal: ctx.signal }); done.push(what); }
          });
        }
        for (const m of manual) ctx.audit({ action: 'cleanup.manual', outcome: 'planned', message: m });
        return { changed: done.length > 0, summary: [...done, ...(manual.length ? [`to do by hand: ${manual.join('; ')}`] : [])].join('; ') || 'nothing cross-tenant to remove' };
      },
    },
  ];
}
