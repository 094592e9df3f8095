/**
 * Validation of a recipe's estate: each check passes or fails, and each failure says how to fix
 * it. Reads only. The report is what the runner prints and writes with --report.
 */
import * as https from 'node:https';
import { roleGuidOf, BUILT_IN_ROLES } from '../azure';
import { SNAPSHOT_PROCESS_TYPE, snapshotProcessQualifiedName } from '../lineage/snapshotProcess';
import type { RecipeEnv, SideEnv } from './env';
import { describeError } from './errors';
import { accountRef, getOrUndefined, storageId } from './steps/common';
import { cmkState } from './cmk';
import { purviewOf, scanHistory } from './steps/purview';
import { shareRef, subscriptionRef } from './steps/sharing';

export interface ValidationCheck {
  id: string;
  tenantId?: string;
  title: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface ValidationReport {
  ok: boolean;
  passed: number;
  failed: number;
  checkedAt: string;
  checks: ValidationCheck[];
}

type Probe = () => Promise<Omit<ValidationCheck, 'id' | 'title' | 'tenantId'>>;

async function guard(id: string, title: string, tenantId: string | undefined, probe: Probe, fixOnError: string): Promise<ValidationCheck> {
  try {
    return { id, title, tenantId, ...(await probe()) };
  } catch (e) {
    return { id, title, tenantId, ok: false, detail: describeError(e).message, fix: describeError(e).nextStep ?? fixOnError };
  }
}

/** GET without a token: a Purview endpoint that answers 401 is up and protected. */
function unauthenticatedStatus(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.on('error', reject);
  });
}

async function hasRole(s: SideEnv, principalId: string | undefined, role: keyof typeof BUILT_IN_ROLES): Promise<boolean> {
  if (!principalId) return false;
  const want = BUILT_IN_ROLES[role];
  for await (const a of s.clients.authorization(s.subscriptionId).listForPrincipal(storageId(s), principalId)) {
    if (a.roleDefinitionId && roleGuidOf(a.roleDefinitionId) === want) return true;
  }
  return false;
}

const MAX_SNAPSHOT_AGE_MS = (env: RecipeEnv) => (env.plan.share.schedule?.recurrence === 'Hour' ? 3 : 48) * 3600_000;

export async function validateEstate(env: RecipeEnv, now = Date.now()): Promise<ValidationReport> {
  const p = env.provider;
  const c = env.consumer;
  const checks: Array<Promise<ValidationCheck>> = [];
  const add = (id: string, title: string, s: SideEnv | undefined, probe: Probe, fix: string) => checks.push(guard(id, title, s?.tenantId, probe, fix));

  for (const s of [p, c]) {
    add(`${s.side}.dataShareAccount`, `${s.side} Data Share account provisioned`, s, async () => {
      const a = await getOrUndefined(() => s.clients.dataShare.accounts.get(accountRef(s)));
      const state = a?.properties?.provisioningState;
      return { ok: state === 'Succeeded', detail: a ? `provisioningState ${state}` : `${s.plan.dataShareAccount} not found`, fix: `Run the ${s.side} infrastructure step (Provision ${s.side === 'provider' ? 'Provider' : 'Consumer'}).` };
    }, 'Check you can read the resource group.');
    add(`${s.side}.storage`, `${s.side} storage: StorageV2, Standard_LRS, hierarchical namespace, TLS 1.2, no public access`, s, async () => {
      const a = await getOrUndefined(() => s.clients.storage(s.subscriptionId).accounts.get(s.plan.resourceGroup, s.plan.storageAccount));
      if (!a) return { ok: false, detail: `${s.plan.storageAccount} not found`, fix: `Run the ${s.side} infrastructure step.` };
      const bad: string[] = [];
      if (a.kind !== 'StorageV2') bad.push(`kind ${a.kind}`);
      if (a.sku?.name !== 'Standard_LRS') bad.push(`SKU ${a.sku?.name}`);
      if (s.side === 'provider' && !a.isHnsEnabled) bad.push('hierarchical namespace off');
      if (a.minimumTlsVersion && a.minimumTlsVersion !== 'TLS1_2' && a.minimumTlsVersion !== 'TLS1_3') bad.push(`minimum TLS ${a.minimumTlsVersion}`);
      if (a.allowBlobPublicAccess) bad.push('public blob access allowed');
      return { ok: bad.length === 0, detail: bad.length ? bad.join(', ') : `${a.kind}, ${a.sku?.name}${a.isHnsEnabled ? ', HNS' : ''}`, fix: 'Recreate the account with the recipe settings (hierarchical namespace cannot be switched on later), or set TLS 1.2 and disable public blob access in its configuration.' };
    }, 'Check you can read the storage account.');
    add(`${s.side}.dataRole`, `${s.side}: signed-in principal has Storage Blob Data Contributor`, s, async () => {
      const me = await s.principal();
      const ok = await hasRole(s, me.objectId, 'StorageBlobDataContributor');
      return { ok, detail: ok ? `${me.name} has it` : `${me.name} has no data role on ${s.plan.storageAccount}`, fix: `Assign Storage Blob Data Contributor on ${s.plan.storageAccount} to ${me.name} (Owner is not enough for blob data).` };
    }, 'Check you can read role assignments.');
    if (s.plan.purviewAccount) {
      const pvName = s.plan.purviewAccount;
      add(`${s.side}.purview`, `${s.side} Purview account provisioned, its identity reads the storage`, s, async () => {
        const a = await getOrUndefined(() => s.clients.purview(s.subscriptionId).accounts.get(s.plan.resourceGroup, pvName));
        if (!a) return { ok: false, detail: `${pvName} not found`, fix: `Run the ${s.side} Purview step.` };
        const reads = await hasRole(s, a.identity?.principalId, 'StorageBlobDataReader');
        return { ok: a.provisioningState === 'Succeeded' && reads, detail: `provisioningState ${a.provisioningState}; Storage Blob Data Reader ${reads ? 'present' : 'missing'}`, fix: `Assign Storage Blob Data Reader on ${s.plan.storageAccount} to the identity of ${pvName}.` };
      }, 'Check you can read the Purview account.');
      add(`${s.side}.purviewEndpoint`, `${s.side} Purview endpoint reachable and answering 401 without a token`, s, async () => {
        const url = `${purviewOf(s)!.endpoint}/datamap/api/atlas/v2/types/typedefs/headers?api-version=2023-09-01`;
        const status = await unauthenticatedStatus(url, env.cloud.caPem);
        return { ok: status === 401, detail: `HTTP ${status} without a token`, fix: status === 0 ? 'Check network access to the Purview endpoint (firewall, private endpoints).' : 'The endpoint should refuse anonymous calls: check the account URL.' };
      }, 'Check network access to the Purview endpoint (firewall, private endpoints, DNS).');
      add(`${s.side}.scan`, `${s.side} storage scanned by Purview`, s, async () => {
        const runs = await scanHistory(purviewOf(s)!, s);
        const last = runs[0];
        return { ok: runs.some((r) => r.status === 'Succeeded'), detail: last ? `last run ${last.status}${last.endTime ? ` at ${last.endTime}` : ''}` : 'never scanned', fix: 'Run "Register and Scan" for this storage account.' };
      }, 'Check you have the Data Source Administrator role in Purview.');
    }
  }
  for (const s of [p, c]) {
    const cmk = s.plan.cmk;
    if (!cmk) continue;
    add(`${s.side}.cmk`, `${s.side} storage encrypted with its customer-managed key: key enabled, not near expiry, identity and role present`, s, async () => {
      const st = await cmkState(s.clients, s.subscriptionId, s.plan.resourceGroup, s.plan.storageAccount, now);
      if (st.keySource.toLowerCase() !== 'microsoft.keyvault') {
        return { ok: false, detail: `${s.plan.storageAccount} uses Microsoft-managed keys`, fix: `Run the ${s.side} customer-managed key steps (or Enable Customer-Managed Key… on the account) to use ${cmk.keyVault}/${cmk.keyName}.` };
      }
      const wrongKey = !st.keyUri?.toLowerCase().includes(`/keys/${cmk.keyName.toLowerCase()}`);
      const problems = [...(wrongKey ? [{ problem: `the account uses ${st.keyUri}, not ${cmk.keyVault}/${cmk.keyName}`, fix: `Enable Customer-Managed Key… with ${cmk.keyVault}/${cmk.keyName}.` }] : []), ...st.problems];
      const version = st.keyUri?.split('/').pop();
      return {
        ok: problems.length === 0,
        detail: problems.length ? problems.map((x) => x.problem).join(' ') : `key ${cmk.keyName} version ${version} enabled${st.expiresOn ? `, expires ${st.expiresOn}` : ''}; identity ${st.identity?.split('/').pop()} has Key Vault Crypto Service Encryption User`,
        fix: problems.map((x) => x.fix).join(' '),
      };
    }, 'Check you can read the storage account and the key vault.');
  }
  add('provider.dataShareRole', "provider Data Share identity reads the shared storage", p, async () => {
    const a = await p.clients.dataShare.accounts.get(accountRef(p));
    const ok = await hasRole(p, a.identity.principalId, 'StorageBlobDataReader');
    return { ok, detail: ok ? 'Storage Blob Data Reader present' : 'Storage Blob Data Reader missing', fix: `Assign Storage Blob Data Reader on ${p.plan.storageAccount} to the identity of ${p.plan.dataShareAccount}.` };
  }, 'Run Create Share again.');
  add('consumer.dataShareRole', 'consumer Data Share identity writes the target storage', c, async () => {
    const a = await c.clients.dataShare.accounts.get(accountRef(c));
    const ok = await hasRole(c, a.identity.principalId, 'StorageBlobDataContributor');
    return { ok, detail: ok ? 'Storage Blob Data Contributor present' : 'Storage Blob Data Contributor missing', fix: `Assign Storage Blob Data Contributor on ${c.plan.storageAccount} to the identity of ${c.plan.dataShareAccount} (Map Datasets does it).` };
  }, 'Run Map Datasets again.');
  add('share.datasets', 'share has its datasets', p, async () => {
    const sets = (await p.clients.dataShare.dataSets.listByShare(shareRef(env)).collect()).items;
    const missing = env.plan.share.datasets.filter((d) => !sets.some((x) => x.name === d.name)).map((d) => d.name);
    return { ok: sets.length > 0 && missing.length === 0, detail: `${sets.length} dataset(s)${missing.length ? `; missing ${missing.join(', ')}` : ''}`, fix: 'Add the datasets (Add Datasets); the governance gate may have blocked them: see the audit trail.' };
  }, 'Create the share first.');
  add('share.invitation', 'invitation accepted', p, async () => {
    const inv = await getOrUndefined(() => p.clients.dataShare.invitations.get({ ...shareRef(env), invitationName: env.plan.invitation.name }));
    const st = inv?.properties?.invitationStatus;
    return { ok: st === 'Accepted', detail: inv ? `status ${st}` : 'not sent', fix: st === 'Pending' ? 'The consumer accepts it (Accept Invitation).' : 'Send the invitation (Invite Consumer).' };
  }, 'Send the invitation.');
  add('consumer.subscription', 'share subscription active', c, async () => {
    const sub = await getOrUndefined(() => c.clients.dataShare.shareSubscriptions.get(subscriptionRef(env)));
    const st = sub?.properties.shareSubscriptionStatus;
    return { ok: st === 'Active', detail: sub ? `status ${st}` : 'not accepted', fix: st === 'Revoked' ? 'The provider reinstates it (Reinstate Consumer).' : 'Accept the invitation.' };
  }, 'Accept the invitation.');
  add('consumer.snapshot', 'last snapshot succeeded and is recent', c, async () => {
    const runs = (await c.clients.dataShare.shareSubscriptions.listSynchronizations(subscriptionRef(env)).collect()).items;
    const last = runs.filter((r) => r.endTime || r.startTime).sort((a, b) => String(b.endTime ?? b.startTime).localeCompare(String(a.endTime ?? a.startTime)))[0];
    if (!last) return { ok: false, detail: 'no snapshot yet', fix: 'Run Snapshot Now.' };
    const age = now - Date.parse(last.endTime ?? last.startTime ?? '');
    const fresh = age <= MAX_SNAPSHOT_AGE_MS(env);
    return { ok: last.status === 'Succeeded' && fresh, detail: `last ${last.status} ${Math.round(age / 60000)} min ago`, fix: last.status !== 'Succeeded' ? `The last snapshot failed (${last.message ?? 'no message'}): check both Data Share identities' roles, then Snapshot Now.` : 'The snapshot is older than its schedule allows: check the trigger, or Snapshot Now.' };
  }, 'Accept and map first.');
  for (const s of [p, c]) {
    if (!s.plan.purviewAccount) continue;
    add(`${s.side}.lineage`, `${s.side} Purview has the cross-tenant lineage`, s, async () => {
      const pv = purviewOf(s)!;
      const missing: string[] = [];
      for (const d of env.plan.share.datasets) {
        const qn = snapshotProcessQualifiedName({ providerTenantId: p.tenantId, providerAccountName: p.plan.dataShareAccount, shareName: env.plan.share.name, consumerTenantId: c.tenantId, consumerAccountName: c.plan.dataShareAccount, shareSubscriptionName: env.plan.subscription.name, dataSetName: d.name });
        const e = await getOrUndefined(() => pv.dataMap.entities.getByUniqueAttribute(SNAPSHOT_PROCESS_TYPE, qn));
        if (!e?.entity || e.entity.status === 'DELETED') missing.push(d.name);
      }
      return { ok: missing.length === 0, detail: missing.length ? `no lineage for ${missing.join(', ')}` : `${env.plan.share.datasets.length} snapshot process(es) recorded`, fix: 'Run Link Lineage after a successful snapshot.' };
    }, 'Check you have the Data Curator role in Purview.');
  }
  const done = await Promise.all(checks);
  const failed = done.filter((x) => !x.ok).length;
  return { ok: failed === 0, passed: done.length - failed, failed, checkedAt: new Date(now).toISOString(), checks: done };
}

export function formatReport(r: ValidationReport): string {
  const lines = r.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.title}: ${c.detail}${c.ok || !c.fix ? '' : `\n      fix: ${c.fix}`}`);
  return [...lines, `${r.passed} check(s) passed, ${r.failed} failed`].join('\n');
}
