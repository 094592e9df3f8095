/**
 * Pure parts of the sandbox's Microsoft Graph subset and of the typed Graph client: the users
 * `$filter` subset, `$select`, guest user principal names, partner body validation, directory roles
 * and application permissions (including the seed applied to an older data folder), and the next
 * steps that name the missing role.
 */
import * as assert from 'node:assert/strict';
import { graphPermissionStep, odataString } from '../../src/azure/graph';
import type { Store } from '../../src/sandbox/core/contract';
import { assignDirectoryRole, directoryRolesOf, forgetPrincipal, grantAppPermission, isPermitted } from '../../src/sandbox/core/entraRoles';
import type { SandboxDirectory } from '../../src/sandbox/core/directory';
import { applyDirectoryRoleSeed, DEMO } from '../../src/sandbox/core/seed';
import {
  GraphError,
  graphErrorBody,
  guestUserPrincipalName,
  isEmailAddress,
  matchesFilter,
  parseUserFilter,
  renderPartner,
  renderUser,
  selectProperties,
  validatePartnerBody,
} from '../../src/sandbox/providers/graphModel';

/** An in-memory Store with the sandbox store's rules (case-insensitive keys, prefix lists in key order). */
function memoryStore(): Store {
  const data = new Map<string, Map<string, string>>();
  const col = (c: string) => {
    let m = data.get(c);
    if (!m) data.set(c, (m = new Map()));
    return m;
  };
  return {
    get: <T>(c: string, k: string) => {
      const v = col(c).get(k.toLowerCase());
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    list: <T>(c: string, prefix = '') =>
      [...col(c).keys()]
        .filter((k) => k.startsWith(prefix.toLowerCase()))
        .sort()
        .map((k) => JSON.parse(col(c).get(k) as string) as T),
    put: (c, k, v) => void col(c).set(k.toLowerCase(), JSON.stringify(v)),
    delete: (c, k) => col(c).delete(k.toLowerCase()),
    collections: () => [...data.keys()].filter((c) => col(c).size > 0),
    commit: () => Promise.resolve(),
  };
}

function expectGraphError(fn: () => unknown, status: number, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GraphError, `expected a GraphError, got ${String(e)}`);
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('sandbox Graph subset (pure parts)', () => {
  describe('users $filter', () => {
    it('parses eq clauses joined by and, otherMails/any, and doubled quotes', () => {
      assert.deepEqual(parseUserFilter("mail eq 'ben@fabrikam.onmicrosoft.com'"), [{ property: 'mail', value: 'ben@fabrikam.onmicrosoft.com' }]);
      assert.deepEqual(parseUserFilter("userType eq 'Guest' and otherMails/any(x:x eq 'o''brien@x.com')"), [
        { property: 'userType', value: 'Guest' },
        { property: 'otherMails', value: "o'brien@x.com" },
      ]);
      assert.deepEqual(parseUserFilter("displayName eq 'Rock and Roll' AND UserPrincipalName eq 'a@b.c'"), [
        { property: 'displayName', value: 'Rock and Roll' },
        { property: 'userPrincipalName', value: 'a@b.c' },
      ]);
      assert.deepEqual(parseUserFilter(undefined), []);
      assert.deepEqual(parseUserFilter('  '), []);
    });

    it("answers Graph's Request_UnsupportedQuery for anything else", () => {
      expectGraphError(() => parseUserFilter("startswith(displayName,'A')"), 400, 'Request_UnsupportedQuery');
      expectGraphError(() => parseUserFilter("jobTitle eq 'x'"), 400, 'Request_UnsupportedQuery', /jobTitle/);
      expectGraphError(() => parseUserFilter("mail eq 'x' or mail eq 'y'"), 400, 'Request_UnsupportedQuery');
      expectGraphError(() => parseUserFilter("otherMails/any(x:y eq 'a')"), 400, 'Request_UnsupportedQuery');
      expectGraphError(() => parseUserFilter("mail eq 'unterminated"), 400, 'BadRequest');
    });

    it('matches case-insensitively, otherMails by any element', () => {
      const guest = renderUser({ objectId: 'g1', tenantId: 't', kind: 'User', userType: 'Guest', displayName: 'Ben', email: 'Ben@Fabrikam.com', userPrincipalName: 'Ben_Fabrikam.com#EXT#@contoso.onmicrosoft.com' });
      assert.ok(matchesFilter(guest, parseUserFilter("mail eq 'ben@fabrikam.com'")));
      assert.ok(matchesFilter(guest, parseUserFilter("otherMails/any(m:m eq 'BEN@fabrikam.com') and userType eq 'guest'")));
      assert.ok(!matchesFilter(guest, parseUserFilter("userType eq 'Member'")));
      const member = renderUser({ objectId: 'm1', tenantId: 't', kind: 'User', displayName: 'Ava', email: 'ava@contoso.com' });
      assert.equal(member.userType, 'Member');
      assert.deepEqual(member.otherMails, []);
      assert.equal(member.userPrincipalName, 'ava@contoso.com');
      assert.ok(!matchesFilter(member, parseUserFilter("otherMails/any(x:x eq 'ava@contoso.com')")));
    });
  });

  it('$select keeps the named properties (and id), the default set otherwise; unknown names are 400', () => {
    const user = renderUser({ objectId: 'g1', tenantId: 't', kind: 'User', userType: 'Guest', displayName: 'Ben', email: 'ben@f.com' });
    assert.deepEqual(selectProperties(user, 'userType,MAIL'), { userType: 'Guest', mail: 'ben@f.com', id: 'g1' });
    const defaults = selectProperties(user, null);
    assert.ok('userPrincipalName' in defaults && 'businessPhones' in defaults);
    assert.ok(!('userType' in defaults), 'userType is not a default property in Graph');
    expectGraphError(() => selectProperties(user, 'id,shoeSize'), 400, 'Request_BadRequest', /shoeSize/);
  });

  it("builds Graph's guest user principal name and checks email addresses", () => {
    assert.equal(guestUserPrincipalName('ben@fabrikam.onmicrosoft.com', 'contoso.onmicrosoft.com'), 'ben_fabrikam.onmicrosoft.com#EXT#@contoso.onmicrosoft.com');
    assert.ok(isEmailAddress('a.b+c@example.co.uk'));
    for (const bad of ['', 'no-at', 'a@b', 'a @b.c', "x'@y.z", 42]) assert.ok(!isEmailAddress(bad), String(bad));
  });

  it("renders Graph's error body with innerError (date without milliseconds, request ids)", () => {
    const body = graphErrorBody(new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), 'req-1', undefined, new Date('2026-01-02T03:04:05.678Z')) as {
      error: { code: string; innerError: Record<string, string> };
    };
    assert.equal(body.error.code, 'Authorization_RequestDenied');
    assert.deepEqual(body.error.innerError, { date: '2026-01-02T03:04:05', 'request-id': 'req-1', 'client-request-id': 'req-1' });
  });

  describe('cross-tenant access partner bodies', () => {
    const tid = 'fab00000-0000-4000-8000-000000000002';
    it('accepts the documented shape and needs a GUID tenantId on create', () => {
      const body = {
        tenantId: tid,
        b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] }, applications: null },
        inboundTrust: { isMfaAccepted: true, isCompliantDeviceAccepted: false },
        automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: null },
        '@odata.type': '#microsoft.graph.crossTenantAccessPolicyConfigurationPartner',
      };
      const props = validatePartnerBody(body, 'create');
      assert.equal(props.tenantId, tid);
      assert.ok(!('@odata.type' in props));
      expectGraphError(() => validatePartnerBody({}, 'create'), 400, 'Request_BadRequest', /tenantId/);
      expectGraphError(() => validatePartnerBody({ tenantId: 'contoso' }, 'create'), 400, 'Request_BadRequest', /GUID/);
      assert.deepEqual(validatePartnerBody({ isServiceProvider: true }, 'update'), { isServiceProvider: true });
    });

    it("refuses unknown properties (Graph's 'Invalid property') and wrong values", () => {
      expectGraphError(() => validatePartnerBody({ tenantId: tid, b2BDirectConnectInbound: {} }, 'create'), 400, 'Request_BadRequest', /Invalid property 'b2BDirectConnectInbound'/);
      expectGraphError(() => validatePartnerBody({ b2bCollaborationOutbound: { users: {} } }, 'update'), 400, 'Request_BadRequest', /b2bCollaborationOutbound\.users/);
      expectGraphError(() => validatePartnerBody({ b2bCollaborationOutbound: { usersAndGroups: { accessType: 'maybe' } } }, 'update'), 400, 'Request_BadRequest', /allowed' or 'blocked/);
      expectGraphError(() => validatePartnerBody({ b2bCollaborationOutbound: { applications: { targets: [{ target: 'x', targetType: 'device' }] } } }, 'update'), 400, 'Request_BadRequest', /targetType/);
      expectGraphError(() => validatePartnerBody({ inboundTrust: { isMfaAccepted: 'yes' } }, 'update'), 400, 'Request_BadRequest', /booleans/);
      expectGraphError(() => validatePartnerBody([], 'update'), 400, 'Request_BadRequest');
    });

    it('renders every property, absent ones null', () => {
      const p = renderPartner({ tenantId: tid, inboundTrust: { isMfaAccepted: true } });
      assert.equal(p.tenantId, tid);
      assert.deepEqual(p.inboundTrust, { isMfaAccepted: true });
      assert.equal(p.b2bCollaborationOutbound, null);
      assert.equal(p.isInMultiTenantOrganization, false);
      assert.deepEqual(p.automaticUserConsentSettings, { inboundAllowed: null, outboundAllowed: null });
    });
  });

  describe('directory roles and application permissions', () => {
    it('a user needs one of the roles, an app one of the permissions; reading users needs no role for members', () => {
      const store = memoryStore();
      const user = { objectId: 'u1', kind: 'User' };
      const app = { objectId: 's1', kind: 'ServicePrincipal' };
      assert.equal(isPermitted(store, user, 'inviteGuest'), false);
      assert.equal(isPermitted(store, user, 'readUsers'), true);
      assert.equal(isPermitted(store, app, 'readUsers'), false);
      assignDirectoryRole(store, 't', 'u1', 'guestInviter');
      assert.equal(isPermitted(store, user, 'inviteGuest'), true);
      assert.equal(isPermitted(store, user, 'writeCrossTenantPolicy'), false);
      assignDirectoryRole(store, 't', 'u1', 'globalAdministrator');
      assert.equal(isPermitted(store, user, 'writeCrossTenantPolicy'), true);
      assert.equal(isPermitted(store, user, 'deleteUser'), true);

      grantAppPermission(store, 't', 's1', 'Policy.ReadWrite.CrossTenantAccess');
      assert.equal(isPermitted(store, app, 'writeCrossTenantPolicy'), true);
      assert.equal(isPermitted(store, app, 'readCrossTenantPolicy'), true, 'ReadWrite includes read');
      assert.equal(isPermitted(store, app, 'inviteGuest'), false);

      forgetPrincipal(store, 'u1');
      assert.deepEqual(directoryRolesOf(store, 'u1'), []);
      assert.equal(isPermitted(store, user, 'inviteGuest'), false);
    });

    it('the demo seed gives Contoso Guest Inviter + Security Administrator and app permissions, Fabrikam\'s user nothing; applied once, also to an older folder', () => {
      const store = memoryStore();
      const present = new Set<string>([DEMO.contoso.user.objectId, DEMO.contoso.sp.objectId, DEMO.fabrikam.user.objectId, DEMO.fabrikam.sp.objectId]);
      const directory = { object: (id: string) => (present.has(id) ? { objectId: id } : undefined) } as unknown as SandboxDirectory;
      applyDirectoryRoleSeed(store, directory);
      const user = (id: string) => ({ objectId: id, kind: 'User' });
      const app = (id: string) => ({ objectId: id, kind: 'ServicePrincipal' });
      assert.deepEqual(directoryRolesOf(store, DEMO.contoso.user.objectId).map((r) => r.roleDisplayName).sort(), ['Guest Inviter', 'Security Administrator']);
      assert.ok(isPermitted(store, app(DEMO.contoso.sp.objectId), 'inviteGuest'));
      assert.ok(isPermitted(store, app(DEMO.contoso.sp.objectId), 'writeCrossTenantPolicy'));
      assert.ok(!isPermitted(store, user(DEMO.fabrikam.user.objectId), 'inviteGuest'));
      assert.ok(!isPermitted(store, user(DEMO.fabrikam.user.objectId), 'writeCrossTenantPolicy'));
      assert.ok(isPermitted(store, app(DEMO.fabrikam.sp.objectId), 'writeCrossTenantPolicy'));
      assert.ok(!isPermitted(store, app(DEMO.fabrikam.sp.objectId), 'inviteGuest'));

      // Once: a role removed afterwards is not put back by a restart.
      forgetPrincipal(store, DEMO.contoso.user.objectId);
      applyDirectoryRoleSeed(store, directory);
      assert.deepEqual(directoryRolesOf(store, DEMO.contoso.user.objectId), []);
    });
  });

  describe('typed client helpers', () => {
    it('next steps name the role the operation needs, in the tenant', () => {
      assert.match(graphPermissionStep('inviteGuest', 'Fabrikam'), /needs the Guest Inviter role in Fabrikam/);
      assert.match(graphPermissionStep('writePartners', 'Fabrikam'), /needs Security Administrator in Fabrikam/);
      assert.match(graphPermissionStep('deleteUser', 'Contoso'), /User Administrator role in Contoso/);
      assert.match(graphPermissionStep('readPartners', 'Contoso'), /Policy\.Read\.All/);
    });

    it('quotes OData string literals', () => {
      assert.equal(odataString("o'brien@x.com"), "'o''brien@x.com'");
    });
  });
});
