/**
 * Seeds for a fresh data folder. `demo`: a provider tenant (Contoso) and a consumer tenant
 * (Fabrikam), one subscription, one user and one service principal each, both Owner of their
 * subscription. Ids are fixed so docs, tests and demos can name them; secrets and passwords are
 * generated on first run and persisted (they are listed in sandbox.json). `empty`: no tenants at all.
 *
 * Directory roles and Graph application permissions (for the Graph subset, providers/graph.ts):
 *  - Contoso (provider) user: Guest Inviter and Security Administrator; Contoso's service principal:
 *    User.Invite.All, User.ReadWrite.All and Policy.ReadWrite.CrossTenantAccess;
 *  - Fabrikam (consumer) user: no admin role (the "not permitted -> manual checklist" path);
 *    Fabrikam's service principal: Policy.ReadWrite.CrossTenantAccess.
 */
import * as crypto from 'node:crypto';
import type { SandboxDirectory } from './directory';
import { assignDirectoryRole, grantAppPermission } from './entraRoles';
import { ROLE, type RoleAssignmentResource } from './rbac';
import type { Store } from './contract';

export type SeedName = 'demo' | 'empty' | 'bench' | 'history' | 'history-bench';

/**
 * The history seeds' extra tenants (consumers outside the demo pair) and, for `history-bench`,
 * the extra subscriptions each demo tenant spreads its 50 shares over. The estate and its year of
 * snapshots are created after start by ../history.ts (through the sandbox's own REST surface).
 */
export const HISTORY = {
  externals: [
    { tenantId: '0e570000-0000-4000-8000-000000000003', displayName: 'Northwind', domain: 'northwind.onmicrosoft.com', subscriptionId: '0e570000-0000-4000-8000-00000000a003', subscriptionName: 'Northwind Research', sp: { objectId: '0e570000-0000-4000-8000-00000000c003', appId: '0e570000-0000-4000-8000-00000000d003', displayName: 'northwind-automation' }, assignment: '0e570000-0000-4000-8000-00000000e003' },
    { tenantId: '3d000000-0000-4000-8000-000000000004', displayName: 'Woodgrove', domain: 'woodgrove.onmicrosoft.com', subscriptionId: '3d000000-0000-4000-8000-00000000a004', subscriptionName: 'Woodgrove Risk', sp: { objectId: '3d000000-0000-4000-8000-00000000c004', appId: '3d000000-0000-4000-8000-00000000d004', displayName: 'woodgrove-automation' }, assignment: '3d000000-0000-4000-8000-00000000e004' },
  ],
  /** history-bench: subscriptions 2..5 of each demo tenant (the demo's own is the first). */
  benchSubscriptions: (tenantId: string): string[] => [1, 2, 3, 4].map((i) => `${tenantId.slice(0, 8)}-0000-4000-8000-0000000bb${String(i).padStart(3, '0')}`),
} as const;

export const isHistorySeed = (seed: string | undefined): seed is 'history' | 'history-bench' => seed === 'history' || seed === 'history-bench';

/** The `bench` seed's second subscription in each demo tenant (same principals, Owner there too). */
export const BENCH = {
  contoso: { subscriptionId: 'c0a70000-0000-4000-8000-00000000a101', subscriptionName: 'Contoso Data Platform 2', assignments: ['c0a70000-0000-4000-8000-00000000e101', 'c0a70000-0000-4000-8000-00000000e102'] },
  fabrikam: { subscriptionId: 'fab00000-0000-4000-8000-00000000a102', subscriptionName: 'Fabrikam Analytics 2', assignments: ['fab00000-0000-4000-8000-00000000e101', 'fab00000-0000-4000-8000-00000000e102'] },
} as const;

export const DEMO = {
  contoso: {
    tenantId: 'c0a70000-0000-4000-8000-000000000001',
    displayName: 'Contoso',
    domain: 'contoso.onmicrosoft.com',
    subscriptionId: 'c0a70000-0000-4000-8000-00000000a001',
    subscriptionName: 'Contoso Data Platform',
    user: { objectId: 'c0a70000-0000-4000-8000-00000000b001', displayName: 'Ava Provider', email: 'ava@contoso.onmicrosoft.com' },
    sp: { objectId: 'c0a70000-0000-4000-8000-00000000c001', appId: 'c0a70000-0000-4000-8000-00000000d001', displayName: 'contoso-automation' },
    assignments: ['c0a70000-0000-4000-8000-00000000e001', 'c0a70000-0000-4000-8000-00000000e002'],
  },
  fabrikam: {
    tenantId: 'fab00000-0000-4000-8000-000000000002',
    displayName: 'Fabrikam',
    domain: 'fabrikam.onmicrosoft.com',
    subscriptionId: 'fab00000-0000-4000-8000-00000000a002',
    subscriptionName: 'Fabrikam Analytics',
    user: { objectId: 'fab00000-0000-4000-8000-00000000b002', displayName: 'Ben Consumer', email: 'ben@fabrikam.onmicrosoft.com' },
    sp: { objectId: 'fab00000-0000-4000-8000-00000000c002', appId: 'fab00000-0000-4000-8000-00000000d002', displayName: 'fabrikam-automation' },
    assignments: ['fab00000-0000-4000-8000-00000000e001', 'fab00000-0000-4000-8000-00000000e002'],
  },
} as const;

function generateSecret(): string {
  // Shaped like an Entra client secret: ~40 chars, URL-safe.
  return crypto.randomBytes(30).toString('base64url');
}

function generatePassword(): string {
  return `Sbx-${crypto.randomBytes(9).toString('base64url')}1!`;
}

export function applySeed(seed: SeedName, store: Store, directory: SandboxDirectory, now: Date): void {
  if (seed === 'empty') {
    return;
  }
  for (const t of [DEMO.contoso, DEMO.fabrikam]) {
    directory.addTenant({ tenantId: t.tenantId, displayName: t.displayName, domain: t.domain });
    directory.addSubscription({ subscriptionId: t.subscriptionId, tenantId: t.tenantId, displayName: t.subscriptionName, state: 'Enabled' });
    directory.addObject({ objectId: t.user.objectId, tenantId: t.tenantId, kind: 'User', displayName: t.user.displayName, email: t.user.email }, generatePassword());
    directory.addObject({ objectId: t.sp.objectId, tenantId: t.tenantId, kind: 'ServicePrincipal', displayName: t.sp.displayName, appId: t.sp.appId }, generateSecret());
    ownerAssignments(store, t.subscriptionId, t.assignments, t, now);
  }
  if (seed === 'bench') {
    for (const [t, b] of [[DEMO.contoso, BENCH.contoso], [DEMO.fabrikam, BENCH.fabrikam]] as const) {
      directory.addSubscription({ subscriptionId: b.subscriptionId, tenantId: t.tenantId, displayName: b.subscriptionName, state: 'Enabled' });
      ownerAssignments(store, b.subscriptionId, b.assignments, t, now);
    }
  }
  if (isHistorySeed(seed)) {
    for (const x of HISTORY.externals) {
      directory.addTenant({ tenantId: x.tenantId, displayName: x.displayName, domain: x.domain });
      directory.addSubscription({ subscriptionId: x.subscriptionId, tenantId: x.tenantId, displayName: x.subscriptionName, state: 'Enabled' });
      directory.addObject({ objectId: x.sp.objectId, tenantId: x.tenantId, kind: 'ServicePrincipal', displayName: x.sp.displayName, appId: x.sp.appId }, generateSecret());
      ownerAssignments(store, x.subscriptionId, [x.assignment, x.assignment], { user: { objectId: x.sp.objectId }, sp: { objectId: x.sp.objectId } }, now);
    }
    if (seed === 'history-bench') {
      for (const t of [DEMO.contoso, DEMO.fabrikam]) {
        HISTORY.benchSubscriptions(t.tenantId).forEach((subscriptionId, i) => {
          directory.addSubscription({ subscriptionId, tenantId: t.tenantId, displayName: `${t.subscriptionName} ${i + 2}`, state: 'Enabled' });
          ownerAssignments(store, subscriptionId, [`${subscriptionId.slice(0, 24)}0000000ee${String(i).padStart(3, '0')}`, `${subscriptionId.slice(0, 24)}0000000ef${String(i).padStart(3, '0')}`], t, now);
        });
      }
    }
  }
  applyDirectoryRoleSeed(store, directory);
}

/** The tenant's user and service principal as Owner of the subscription (assignment names given). */
function ownerAssignments(store: Store, subscriptionId: string, names: readonly string[], t: { user: { objectId: string }; sp: { objectId: string } }, now: Date): void {
  const scope = `/subscriptions/${subscriptionId}`;
  const principals: [string, string][] = [
    [t.user.objectId, 'User'],
    [t.sp.objectId, 'ServicePrincipal'],
  ];
  principals.forEach(([principalId, principalType], i) => {
    const name = names[i];
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const ra: RoleAssignmentResource = {
      id,
      name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        scope,
        roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.owner}`,
        principalId,
        principalType,
        description: 'Seeded by the sandbox',
        condition: null,
        conditionVersion: null,
        createdOn: now.toISOString(),
        updatedOn: now.toISOString(),
        createdBy: null,
        updatedBy: null,
        delegatedManagedIdentityResourceId: null,
      },
    };
    store.put('roleAssignments', id, ra);
  });
}

/**
 * Seeds the demo tenants' directory roles and Graph application permissions once (also on a data
 * folder created before they existed; a no-op without the demo principals).
 */
export function applyDirectoryRoleSeed(store: Store, directory: SandboxDirectory): void {
  if (store.get('meta', 'directoryRoles')) {
    return;
  }
  const { contoso, fabrikam } = DEMO;
  if (directory.object(contoso.user.objectId)) {
    assignDirectoryRole(store, contoso.tenantId, contoso.user.objectId, 'guestInviter');
    assignDirectoryRole(store, contoso.tenantId, contoso.user.objectId, 'securityAdministrator');
  }
  if (directory.object(contoso.sp.objectId)) {
    for (const p of ['User.Invite.All', 'User.ReadWrite.All', 'Policy.ReadWrite.CrossTenantAccess'] as const) {
      grantAppPermission(store, contoso.tenantId, contoso.sp.objectId, p);
    }
  }
  if (directory.object(fabrikam.sp.objectId)) {
    grantAppPermission(store, fabrikam.tenantId, fabrikam.sp.objectId, 'Policy.ReadWrite.CrossTenantAccess');
  }
  store.put('meta', 'directoryRoles', { seeded: true });
}
