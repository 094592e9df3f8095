import * as assert from 'assert';
import {
  discoverTenants,
  filterFromSelection,
  filterSubscriptions,
  isTenantShown,
  mergeTenants,
  parseFilter,
  type SubscriptionInfo,
  type TenantDirectory,
  type TenantInfo,
} from '../../src/auth/tenants';
import { NotSignedInError, tenantOfScopes, vscodeSessionScopes, type AuthAccount } from '../../src/auth/tokenSource';

const PROVIDER = 'aaaaaaaa-0000-0000-0000-00000000000a';
const CONSUMER = 'bbbbbbbb-0000-0000-0000-00000000000b';
const GUEST = 'cccccccc-0000-0000-0000-00000000000c';
const alice: AuthAccount = { id: 'alice', label: 'alice@provider.example' };
const bob: AuthAccount = { id: 'bob', label: 'bob@consumer.example' };
const t = (tenantId: string, displayName: string, domain = ''): TenantInfo => ({ tenantId, displayName, domain });
const sub = (tenantId: string, subscriptionId: string, displayName = subscriptionId): SubscriptionInfo => ({ tenantId, subscriptionId, displayName });

describe('Tenant discovery across accounts', () => {
  it('merges tenants two accounts can reach into one entry, keeping every account and the better name', () => {
    const merged = mergeTenants([
      { account: alice, tenants: [t(PROVIDER, 'Provider', 'provider.example'), t(GUEST.toUpperCase(), GUEST.toUpperCase())] },
      { account: bob, tenants: [t(CONSUMER, 'Consumer'), t(GUEST, 'Guest Org', 'guest.example')] },
    ]);
    assert.deepStrictEqual(merged.map((m) => m.tenant.displayName), ['Consumer', 'Guest Org', 'Provider']);
    const guest = merged.find((m) => m.tenant.displayName === 'Guest Org')!;
    assert.deepStrictEqual(guest.accounts.map((a) => a.id), ['alice', 'bob']);
    assert.strictEqual(guest.tenant.domain, 'guest.example');
  });

  it('lists each tenant with its own outcome: signed in, needs sign-in, or failed, without blanking the others', async () => {
    const directory: TenantDirectory = {
      accounts: () => Promise.resolve([alice, bob]),
      tenants: (account) => Promise.resolve(account === alice ? [t(PROVIDER, 'Provider'), t(GUEST, 'Guest Org')] : [t(CONSUMER, 'Consumer')]),
      subscriptions: (tenantId) => {
        if (tenantId === GUEST) return Promise.reject(new NotSignedInError('no session', tenantId));
        if (tenantId === CONSUMER) return Promise.reject(Object.assign(new Error('AADSTS50076: MFA required'), { code: 'interaction_required' }));
        return Promise.resolve([sub(PROVIDER, 's1', 'Data Platform')]);
      },
    };
    const d = await discoverTenants(directory);
    const state = Object.fromEntries(d.tenants.map((x) => [x.tenant.displayName, x.state]));
    assert.deepStrictEqual(state, { Consumer: 'error', 'Guest Org': 'signInRequired', Provider: 'signedIn' });
    assert.deepStrictEqual(d.tenants.find((x) => x.state === 'signedIn')!.subscriptions.map((s) => s.displayName), ['Data Platform']);
    assert.match(String((d.tenants.find((x) => x.state === 'error')!.error as Error).message), /MFA/);
  });

  it('keeps going when one account cannot list its tenants at all', async () => {
    const directory: TenantDirectory = {
      accounts: () => Promise.resolve([alice, bob]),
      tenants: (account) => (account === bob ? Promise.reject(new NotSignedInError('expired')) : Promise.resolve([t(PROVIDER, 'Provider')])),
      subscriptions: () => Promise.resolve([]),
    };
    const d = await discoverTenants(directory);
    assert.deepStrictEqual(d.tenants.map((x) => x.tenant.displayName), ['Provider']);
    assert.deepStrictEqual(d.accountProblems.map((p) => [p.account.id, p.state]), [['bob', 'signInRequired']]);
  });

  it('uses a second account when the first has no session in a shared tenant', async () => {
    const directory: TenantDirectory = {
      accounts: () => Promise.resolve([alice, bob]),
      tenants: () => Promise.resolve([t(GUEST, 'Guest Org')]),
      subscriptions: (_tenant, account) => (account === alice ? Promise.reject(new NotSignedInError('no')) : Promise.resolve([sub(GUEST, 'g1')])),
    };
    const [guest] = (await discoverTenants(directory)).tenants;
    assert.strictEqual(guest.state, 'signedIn');
    assert.strictEqual(guest.account.id, 'bob');
  });
});

describe('Tenant and subscription filter', () => {
  const available = [
    { tenantId: PROVIDER, subscriptionIds: ['s1', 's2'] },
    { tenantId: CONSUMER, subscriptionIds: ['c1'] },
  ];

  it('stores an empty filter when everything is picked, so new tenants and subscriptions show up too', () => {
    const f = filterFromSelection(available, [PROVIDER, CONSUMER], [{ tenantId: PROVIDER, subscriptionId: 's1' }, { tenantId: PROVIDER, subscriptionId: 's2' }, { tenantId: CONSUMER, subscriptionId: 'c1' }]);
    assert.deepStrictEqual(f, { tenants: [], subscriptions: [] });
  });

  it('remembers the tenants and subscriptions picked, and survives a round trip through storage', () => {
    const f = filterFromSelection(available, [PROVIDER], [{ tenantId: PROVIDER, subscriptionId: 'S2' }]);
    assert.deepStrictEqual(f, { tenants: [PROVIDER], subscriptions: [`${PROVIDER}/s2`] });
    const restored = parseFilter(JSON.parse(JSON.stringify(f)));
    assert.deepStrictEqual(restored, f);
    assert.ok(isTenantShown(restored, PROVIDER.toUpperCase()));
    assert.ok(!isTenantShown(restored, CONSUMER));
    assert.deepStrictEqual(filterSubscriptions(restored, PROVIDER, [sub(PROVIDER, 's1'), sub(PROVIDER, 's2')]).map((s) => s.subscriptionId), ['s2']);
  });

  it('shows every subscription of a tenant with no subscription picked, and ignores malformed stored values', () => {
    assert.deepStrictEqual(parseFilter({ tenants: [PROVIDER, 42, ''], subscriptions: ['not-a-pair', `${CONSUMER}/c1`] }), { tenants: [PROVIDER], subscriptions: [`${CONSUMER}/c1`] });
    assert.deepStrictEqual(parseFilter(undefined), { tenants: [], subscriptions: [] });
    const f = parseFilter({ subscriptions: [`${CONSUMER}/c1`] });
    assert.deepStrictEqual(filterSubscriptions(f, PROVIDER, [sub(PROVIDER, 's1')]).length, 1);
  });
});

describe('VS Code session scopes', () => {
  it('asks for ARM in the form VS Code’s app is consented for, with the tenant', () => {
    assert.deepStrictEqual(vscodeSessionScopes(['https://management.azure.com/.default'], PROVIDER), ['https://management.core.windows.net/.default', `VSCODE_TENANT:${PROVIDER}`]);
    assert.strictEqual(tenantOfScopes(vscodeSessionScopes(['https://storage.azure.com/.default'], CONSUMER)), CONSUMER);
  });

  it('adds the person’s own client id for Graph only', () => {
    assert.deepStrictEqual(vscodeSessionScopes(['https://graph.microsoft.com/.default'], PROVIDER, 'app-id'), ['https://graph.microsoft.com/.default', 'VSCODE_CLIENT_ID:app-id', `VSCODE_TENANT:${PROVIDER}`]);
    assert.deepStrictEqual(vscodeSessionScopes(['https://purview.azure.net/.default'], undefined, 'app-id'), ['https://purview.azure.net/.default']);
  });
});
