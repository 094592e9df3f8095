/**
 * The sandbox's Microsoft Graph subset over real HTTPS through the typed client of src/azure
 * (`clients.graph()` from the factory): B2B guest invitations (one guest per address), guest lookup
 * and removal, cross-tenant access partner policies (create / get / 409 / update / delete), Graph's
 * permission model (directory roles for users, application permissions for apps) with the missing
 * role named in the error's next step, and Graph's 401 for tokens it must refuse.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { createAzureClients, GraphApi, loadSandboxCloud, sandboxCredentials, type AzureClients, type CloudConfig, type SandboxDescription } from '../../src/azure';
import type { RunningSandbox, SandboxTenantDescription, ThrottleStats } from '../../src/sandbox';
import { rejection } from './support/errors';
import { ARM_SCOPE, removeTempDirs, request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const REDIRECT = 'https://myapplications.microsoft.com';

describe('sandbox Microsoft Graph subset (B2B guests, cross-tenant access partners) through the typed client', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let cloud: CloudConfig;
  let description: SandboxDescription;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let contosoUser: AzureClients;
  let contosoSp: AzureClients;
  let fabrikamUser: AzureClients;
  let fabrikamSp: AzureClients;
  let benEmail: string;

  before(async () => {
    ({ sandbox } = await startTestSandbox('graph', { tickIntervalMs: 0 }));
    ({ cloud, description } = await loadSandboxCloud(sandbox.descriptionPath));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    const caPem = cloud.caPem;
    const clientsFor = (t: SandboxTenantDescription, who: 'user' | 'servicePrincipal') => createAzureClients(cloud, t.tenantId, sandboxCredentials(description, t.tenantId, who, { caPem }));
    contosoUser = clientsFor(contoso, 'user');
    contosoSp = clientsFor(contoso, 'servicePrincipal');
    fabrikamUser = clientsFor(fabrikam, 'user');
    fabrikamSp = clientsFor(fabrikam, 'servicePrincipal');
    benEmail = fabrikam.users[0].email;
  });

  after(async () => {
    await sandbox?.stop();
    removeTempDirs();
  });

  it('announces graphEndpoint in sandbox.json and the factory builds the Graph client on it', () => {
    assert.equal(description.graphEndpoint, `${sandbox.armEndpoint}/graph`);
    assert.equal(contosoUser.graph().baseUrl, `${sandbox.armEndpoint}/graph/v1.0`);
    assert.equal(contosoUser.graph(), contosoUser.graph(), 'cached per tenant');
  });

  describe('B2B guest invitations', () => {
    let guestId: string;

    it('invites a guest: 201 PendingAcceptance, a Guest user with an #EXT# user principal name in the inviting tenant', async () => {
      const inv = await contosoUser.graph().inviteGuest(benEmail, REDIRECT, 'Ben (Fabrikam)');
      assert.equal(inv.status, 'PendingAcceptance');
      assert.equal(inv.invitedUserEmailAddress, benEmail);
      assert.equal(inv.inviteRedirectUrl, REDIRECT);
      assert.equal(inv.invitedUserType, 'Guest');
      assert.ok(inv.id && inv.inviteRedeemUrl, 'an invitation id and a redeem URL');
      guestId = inv.invitedUser.id;

      const guest = await contosoUser.graph().findUserByMail(benEmail);
      assert.ok(guest, 'the guest is found by mail');
      assert.equal(guest.id, guestId);
      assert.equal(guest.userType, 'Guest');
      assert.equal(guest.externalUserState, 'PendingAcceptance');
      assert.equal(guest.displayName, 'Ben (Fabrikam)');
      assert.equal(guest.userPrincipalName, `${benEmail.replace('@', '_')}#EXT#@${contoso.domain}`);
      assert.deepEqual(guest.otherMails, [benEmail]);
      assert.equal((await contosoUser.graph().getUser(guestId)).mail, benEmail);
    });

    it('inviting the same address again (also by the service principal) returns the same guest, no duplicate user', async () => {
      const again = await contosoUser.graph().inviteGuest(benEmail.toUpperCase(), REDIRECT);
      assert.equal(again.invitedUser.id, guestId);
      const bySp = await contosoSp.graph().inviteGuest(benEmail, REDIRECT);
      assert.equal(bySp.invitedUser.id, guestId);

      const token = await tokenFor(sandboxCredentials(description, contoso.tenantId, 'user', { caPem: cloud.caPem }), GRAPH_SCOPE);
      const byMail = await request(sandbox, 'GET', `/graph/v1.0/users?$filter=${encodeURIComponent(`mail eq '${benEmail}'`)}`, { token });
      assert.equal(byMail.status, 200, byMail.text);
      assert.equal(byMail.body.value.length, 1);
      const byOtherMails = await request(sandbox, 'GET', `/graph/v1.0/users?$filter=${encodeURIComponent(`otherMails/any(x:x eq '${benEmail}')`)}&$select=id,userType`, { token });
      assert.deepEqual(byOtherMails.body.value, [{ id: guestId, userType: 'Guest' }]);
      const guests = await request(sandbox, 'GET', `/graph/v1.0/users?$filter=${encodeURIComponent("userType eq 'Guest'")}`, { token });
      assert.equal(guests.body.value.length, 1);
    });

    it('leaves the guest\'s home account alone: Ben still signs in to Fabrikam and is not listed as a Contoso user in sandbox.json', async () => {
      const armToken = await tokenFor(sandboxCredentials(description, fabrikam.tenantId, 'user', { caPem: cloud.caPem }), ARM_SCOPE);
      assert.ok(armToken);
      assert.ok(!contoso.users.some((u) => u.email === benEmail));
      const home = await fabrikamUser.graph().findUserByMail(benEmail);
      assert.equal(home?.userType, 'Member');
      assert.equal(home?.id, fabrikam.users[0].objectId);
    });

    it('refuses a member address (members need no invitation) and a missing redirect URL with Graph\'s 400', async () => {
      const member = await rejection(contosoUser.graph().inviteGuest(contoso.users[0].email, REDIRECT));
      assert.equal(member.statusCode, 400);
      const noRedirect = await rejection(contosoUser.graph().inviteGuest('someone@example.com', ''));
      assert.equal(noRedirect.statusCode, 400);
      assert.equal(noRedirect.code, 'BadRequest');
    });

    it('answers 403 Authorization_RequestDenied to a Fabrikam user without an admin role, naming Guest Inviter in the next step', async () => {
      const err = await rejection(fabrikamUser.graph().inviteGuest(contoso.users[0].email, REDIRECT));
      assert.equal(err.statusCode, 403);
      assert.equal(err.code, 'Authorization_RequestDenied');
      assert.equal(err.message, 'Insufficient privileges to complete the operation.');
      assert.match(err.nextStep, new RegExp(`needs the Guest Inviter role in ${fabrikam.tenantId}`));
      // An app without User.Invite.All is refused too, and told the permission.
      const app = await rejection(fabrikamSp.graph().inviteGuest(contoso.users[0].email, REDIRECT));
      assert.equal(app.statusCode, 403);
      assert.match(app.nextStep, /User\.Invite\.All/);
      assert.equal(await fabrikamUser.graph().findUserByMail(contoso.users[0].email), undefined, 'no guest was created in Fabrikam');
    });

    it('keeps tenants apart: a Fabrikam token cannot see Contoso\'s guest', async () => {
      const err = await rejection(fabrikamUser.graph().getUser(guestId));
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'Request_ResourceNotFound');
    });

    it('removes the guest: 403 naming User Administrator for the Contoso user, done by the service principal', async () => {
      const denied = await rejection(contosoUser.graph().deleteUser(guestId));
      assert.equal(denied.statusCode, 403);
      assert.match(denied.nextStep, /User Administrator role in/);
      await contosoSp.graph().deleteUser(guestId);
      assert.equal(await contosoUser.graph().findUserByMail(benEmail), undefined);
      const gone = await rejection(contosoSp.graph().deleteUser(guestId));
      assert.equal(gone.statusCode, 404);
      // Inviting again creates a new guest.
      const fresh = await contosoUser.graph().inviteGuest(benEmail, REDIRECT);
      assert.notEqual(fresh.invitedUser.id, guestId);
      await contosoSp.graph().deleteUser(fresh.invitedUser.id);
    });
  });

  describe('cross-tenant access partner policies', () => {
    const allow = {
      usersAndGroups: { accessType: 'allowed' as const, targets: [{ target: 'AllUsers', targetType: 'user' as const }] },
      applications: { accessType: 'allowed' as const, targets: [{ target: 'AllApplications', targetType: 'application' as const }] },
    };

    it('creates (201), reads, refuses a duplicate with 409, updates and deletes a partner', async () => {
      const graph = contosoUser.graph();
      assert.equal(await graph.findPartner(fabrikam.tenantId), undefined);
      const created = await graph.createPartner({ tenantId: fabrikam.tenantId, b2bCollaborationOutbound: allow, inboundTrust: { isMfaAccepted: true } });
      assert.equal(created.tenantId, fabrikam.tenantId);
      assert.deepEqual(created.b2bCollaborationOutbound, allow);
      assert.equal(created.b2bCollaborationInbound, null);

      const read = await graph.getPartner(fabrikam.tenantId);
      assert.deepEqual(read, created);
      assert.deepEqual((await graph.listPartners()).map((p) => p.tenantId), [fabrikam.tenantId]);

      const dup = await rejection(graph.createPartner({ tenantId: fabrikam.tenantId }));
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.code, 'Request_MultipleObjectsWithSameKeyValue');
      assert.match(dup.message, /already exists/);

      await graph.updatePartner(fabrikam.tenantId, { b2bCollaborationInbound: allow });
      const updated = await graph.getPartner(fabrikam.tenantId);
      assert.deepEqual(updated.b2bCollaborationInbound, allow);
      assert.deepEqual(updated.b2bCollaborationOutbound, allow, 'PATCH keeps what it does not name');

      await graph.deletePartner(fabrikam.tenantId);
      const missing = await rejection(graph.getPartner(fabrikam.tenantId));
      assert.equal(missing.statusCode, 404);
      assert.equal(await graph.findPartner(fabrikam.tenantId), undefined);
      assert.equal((await rejection(graph.deletePartner(fabrikam.tenantId))).statusCode, 404);
    });

    it('validates the body as Graph does (unknown property, own tenant)', async () => {
      const graph = contosoUser.graph();
      const unknown = await rejection(graph.createPartner({ tenantId: fabrikam.tenantId, b2BDirectConnectInbound: {} } as never));
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.message, /Invalid property 'b2BDirectConnectInbound'/);
      const self = await rejection(graph.createPartner({ tenantId: contoso.tenantId }));
      assert.equal(self.statusCode, 400);
    });

    it('answers 403 to the Fabrikam user (no Security Administrator), naming the role; Fabrikam\'s app with Policy.ReadWrite.CrossTenantAccess may', async () => {
      const err = await rejection(fabrikamUser.graph().createPartner({ tenantId: contoso.tenantId, b2bCollaborationInbound: allow }));
      assert.equal(err.statusCode, 403);
      assert.equal(err.code, 'Authorization_RequestDenied');
      assert.match(err.nextStep, new RegExp(`needs Security Administrator in ${fabrikam.tenantId}`));
      const read = await rejection(fabrikamUser.graph().listPartners());
      assert.equal(read.statusCode, 403);

      const created = await fabrikamSp.graph().createPartner({ tenantId: contoso.tenantId, b2bCollaborationInbound: allow });
      assert.equal(created.tenantId, contoso.tenantId);
      // Each tenant has its own policy: Contoso sees none for itself from Fabrikam's side.
      assert.deepEqual(await contosoUser.graph().listPartners(), []);
      await fabrikamSp.graph().deletePartner(contoso.tenantId);
    });
  });

  describe('tokens Graph refuses (401 InvalidAuthenticationToken)', () => {
    const staticCredential = (token: string): TokenCredential => ({ getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });

    it('refuses a token for another audience (an ARM token)', async () => {
      const armToken = await tokenFor(spCredential(sandbox, contoso), ARM_SCOPE);
      const graph = new GraphApi(staticCredential(armToken), { endpoint: description.graphEndpoint, caPem: cloud.caPem, retry: { maxRetries: 0 } });
      const err = await rejection(graph.listPartners());
      assert.equal(err.statusCode, 401);
      assert.equal(err.code, 'InvalidAuthenticationToken');
      assert.match(err.message, /Invalid audience/);
    });

    it('refuses a token of another tenant\'s authority (not signed by the sandbox) and a request without a token', async () => {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const now = Math.floor(Date.now() / 1000);
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsigned = `${enc({ typ: 'JWT', alg: 'RS256', kid: 'other-tenant-key' })}.${enc({
        aud: 'https://graph.microsoft.com',
        iss: `https://sts.windows.net/${contoso.tenantId}/`,
        tid: contoso.tenantId,
        oid: contoso.users[0].objectId,
        iat: now,
        nbf: now,
        exp: now + 3600,
      })}`;
      const forged = `${unsigned}.${crypto.sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
      const graph = new GraphApi(staticCredential(forged), { endpoint: description.graphEndpoint, caPem: cloud.caPem, retry: { maxRetries: 0 } });
      const err = await rejection(graph.inviteGuest('x@example.com', REDIRECT));
      assert.equal(err.statusCode, 401);
      assert.equal(err.code, 'InvalidAuthenticationToken');

      const none = await request(sandbox, 'GET', '/graph/v1.0/policies/crossTenantAccessPolicy/partners');
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'InvalidAuthenticationToken');
      assert.equal(none.body.error.message, 'Access token is empty.');
      assert.ok(none.body.error.innerError['request-id'], "Graph's innerError carries the request id");
      assert.match(String(none.headers['www-authenticate']), /^Bearer /);
    });
  });

  it('answers Graph\'s 400 for an unknown segment and 405 for a method a path does not take; Graph calls are not ARM calls', async () => {
    const before = (await request(sandbox, 'GET', '/admin/stats', { headers: { 'x-sandbox-admin-key': sandbox.adminKey } })).body as ThrottleStats;
    const token = await tokenFor(sandboxCredentials(description, contoso.tenantId, 'user', { caPem: cloud.caPem }), GRAPH_SCOPE);
    const unknown = await request(sandbox, 'GET', '/graph/v1.0/groups', { token });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /Resource not found for the segment 'groups'/);
    assert.equal((await request(sandbox, 'GET', '/graph/v1.0/groups')).status, 401, 'the token is checked first, as Graph does');
    const method = await request(sandbox, 'PUT', '/graph/v1.0/invitations', { token, body: {} });
    assert.equal(method.status, 405);
    const filter = await request(sandbox, 'GET', `/graph/v1.0/users?$filter=${encodeURIComponent("startswith(displayName,'A')")}`, { token });
    assert.equal(filter.status, 400);
    assert.equal(filter.body.error.code, 'Request_UnsupportedQuery');
    const me = await request(sandbox, 'GET', '/graph/v1.0/me/memberOf', { token });
    assert.deepEqual(me.body.value.map((r: { displayName: string }) => r.displayName).sort(), ['Guest Inviter', 'Security Administrator']);
    const after = (await request(sandbox, 'GET', '/admin/stats', { headers: { 'x-sandbox-admin-key': sandbox.adminKey } })).body as ThrottleStats;
    assert.deepEqual(after.arm, before.arm);
  });
});
