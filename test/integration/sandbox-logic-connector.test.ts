/**
 * What a real-Azure approval workflow needs from the sandbox, over HTTPS with the real clients
 * (`LogicApi` over @azure/arm-logic for workflows and runs; plain HTTPS with sandbox tokens for API
 * connections, consent and OAuth calls):
 *  - Microsoft.Web/connections for the Teams managed API: created unauthenticated, a consent link,
 *    a person of the connection's tenant signs in (another tenant's cannot), a re-PUT keeps consent;
 *  - an `ApiConnectionWebhook` to the Teams connector's "Post adaptive card and wait for a response":
 *    fails as the connector does while the connection is not authorized, then waits with the card in
 *    the Teams approval channel, resumes with the verified responder, times out on the sandbox clock;
 *  - a Request trigger with "OAuth with Microsoft Entra ID": the bearer's claims against the policy,
 *    the Authorization header in the outputs only when asked, secure outputs not served, and the
 *    JWT-payload expression the extension's decisions workflow uses.
 */
import * as assert from 'node:assert/strict';
import type { RunningSandbox } from '../../src/sandbox';
import type { SandboxTenantDescription } from '../../src/sandbox';
import { DEMO } from '../../src/sandbox/core/seed';
import { LogicApi, type Workflow } from '../../src/azure/arm/logic';
import { decisionsWorkflowDefinition } from '../../src/workflows/approvals';
import { adminToken, ARM_SCOPE, decodeJwt, request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

const RG = 'connector-sbx';
const SUB = DEMO.contoso.subscriptionId;
const LOCATION = 'westeurope';
const CONN = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Web/connections`;
const TEAMS_API = `/subscriptions/${SUB}/providers/Microsoft.Web/locations/${LOCATION}/managedApis/teams`;
const MGMT = 'https://management.core.windows.net/';

/** The claims-from-the-bearer expression of the extension's decisions workflow (its own, not a copy). */
const CLAIMS = (decisionsWorkflowDefinition() as { actions: { Caller: { inputs: string } } }).actions.Caller.inputs;

function card(text: string) {
  return { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text }, { type: 'Input.Text', id: 'comment' }], actions: [{ type: 'Action.Submit', id: 'Approve', title: 'Approve' }, { type: 'Action.Submit', id: 'Reject', title: 'Reject' }] };
}

/** The approval template as the extension will PUT it: the Teams connector's wait, then the answer as the run's output. */
function connectorWorkflow(connectionId: string, connectionName: string, poster = "@{encodeURIComponent('Flow bot')}"): Workflow {
  return {
    location: LOCATION,
    state: 'Enabled',
    definition: {
      $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
      contentVersion: '1.0.0.0',
      parameters: { $connections: { type: 'Object', defaultValue: {} } },
      triggers: { manual: { type: 'Request', kind: 'Http', inputs: { schema: {} } } },
      actions: {
        Wait_for_response: {
          type: 'ApiConnectionWebhook',
          runAfter: {},
          inputs: {
            host: { connection: { name: "@parameters('$connections')['teams']['connectionId']" } },
            body: {
              notificationUrl: '@{listCallbackUrl()}',
              body: { messageBody: "@{string(triggerBody()?['card'])}", updateMessage: 'Thanks, your answer was recorded.', shouldUpdateCard: true, recipient: { groupId: 'team-1', channelId: '19:approvals@thread.tacv2' } },
            },
            path: `/v1.0/teams/conversation/gatherinput/poster/${poster}/location/@{encodeURIComponent('Channel')}/$subscriptions`,
          },
          limit: { timeout: 'PT1440M' },
        },
      },
      outputs: { answer: { type: 'Object', value: "@body('Wait_for_response')" } },
    },
    parameters: { $connections: { value: { teams: { connectionId, connectionName, id: TEAMS_API } } } },
  };
}

/** The decisions workflow: OAuth with Entra ID, the Authorization header in outputs, secure outputs, the caller's claims out. */
function decisionsWorkflow(tenantId: string, options: { includeAuthorization?: boolean } = {}): Workflow {
  return {
    location: LOCATION,
    state: 'Enabled',
    definition: {
      $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
      contentVersion: '1.0.0.0',
      triggers: {
        manual: {
          type: 'Request',
          kind: 'Http',
          inputs: { schema: {} },
          ...(options.includeAuthorization === false ? {} : { operationOptions: 'IncludeAuthorizationHeadersInOutputs' }),
          runtimeConfiguration: { secureData: { properties: ['inputs', 'outputs'] } },
        },
      },
      actions: {
        Claims: { type: 'Compose', runAfter: {}, inputs: options.includeAuthorization === false ? "@coalesce(triggerOutputs()?['headers']?['Authorization'], 'no Authorization header')" : CLAIMS },
        Caller: {
          type: 'Compose',
          runAfter: { Claims: ['Succeeded'] },
          inputs: options.includeAuthorization === false ? '@outputs(\'Claims\')' : { oid: "@{outputs('Claims')?['oid']}", tid: "@{outputs('Claims')?['tid']}", name: "@{outputs('Claims')?['name']}", upn: "@{outputs('Claims')?['upn']}" },
        },
      },
      outputs: { caller: { type: 'Object', value: "@outputs('Caller')" }, decision: { type: 'Object', value: "@triggerBody()?['decision']" } },
    },
    accessControl: {
      triggers: {
        openAuthenticationPolicies: {
          policies: { callers: { type: 'AAD', claims: [{ name: 'iss', value: `https://sts.windows.net/${tenantId}/` }, { name: 'aud', value: MGMT }] } },
        },
      },
    },
  };
}

describe('sandbox Teams connector, API connections and Entra OAuth triggers (HTTPS, @azure/arm-logic)', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let logic: LogicApi;
  let spToken: string;
  let ava: { objectId: string; email: string; displayName: string; token: string };
  let benToken: string;
  let guest: { objectId: string; token: string };

  /** A user's token from the sandbox authority with the password grant, as a person signing in gets it. */
  async function userToken(tenant: SandboxTenantDescription, scope: string): Promise<string> {
    const user = tenant.users[0];
    const res = await request(sandbox, 'POST', `/${tenant.tenantId}/oauth2/v2.0/token`, { form: { grant_type: 'password', client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', username: user.email, password: user.password, scope } });
    assert.equal(res.status, 200, res.text);
    return res.body.access_token as string;
  }

  async function putConnection(name: string, body: unknown, apiVersion = '2016-06-01') {
    return request(sandbox, 'PUT', `${CONN}/${name}?api-version=${apiVersion}`, { token: spToken, body });
  }

  async function consentAs(name: string, token: string) {
    const links = await request(sandbox, 'POST', `${CONN}/${name}/listConsentLinks?api-version=2016-06-01`, { token: spToken, body: { parameters: [{ parameterName: 'token', redirectUrl: 'https://portal.azure.com/redirect', tenantId: contoso.tenantId, objectId: ava.objectId }] } });
    assert.equal(links.status, 200, links.text);
    return request(sandbox, 'POST', links.body.value[0].link as string, { token });
  }

  async function pendingCards(token: string): Promise<Array<Record<string, any>>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await request(sandbox, 'GET', '/teams/approvals?status=Pending', { token });
    assert.equal(res.status, 200, res.text);
    return res.body.value;
  }

  before(async () => {
    ({ sandbox } = await startTestSandbox('logic-connector'));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    const cred = spCredential(sandbox, contoso);
    spToken = await tokenFor(cred, ARM_SCOPE);
    logic = new LogicApi(cred, SUB, { endpoint: sandbox.armEndpoint, scopes: [ARM_SCOPE], caPem: sandbox.ca });
    const rg = await request(sandbox, 'PUT', `/subscriptions/${SUB}/resourcegroups/${RG}?api-version=2021-04-01`, { token: spToken, body: { location: LOCATION } });
    assert.ok(rg.status === 200 || rg.status === 201, rg.text);
    const u = contoso.users[0];
    ava = { objectId: u.objectId, email: u.email, displayName: u.displayName, token: await userToken(contoso, ARM_SCOPE) };
    benToken = await userToken(fabrikam, ARM_SCOPE);
    // A second person in Contoso: Ben invited as a B2B guest (Graph), answering with a token of Contoso.
    const graphToken = await tokenFor(cred, 'https://graph.microsoft.com/.default');
    const invited = await request(sandbox, 'POST', '/graph/v1.0/invitations', { token: graphToken, body: { invitedUserEmailAddress: fabrikam.users[0].email, inviteRedirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: false } });
    assert.equal(invited.status, 201, invited.text);
    const guestId = invited.body.invitedUser.id as string;
    guest = { objectId: guestId, token: await adminToken(sandbox, guestId, 'https://management.azure.com') };
  });
  after(async () => {
    await sandbox?.stop();
  });

  describe('Microsoft.Web/connections (Teams)', () => {
    it('serves the Teams managed API and refuses another API or another location with InvalidApiId', async () => {
      const api = await request(sandbox, 'GET', `${TEAMS_API}?api-version=2016-06-01`, { token: spToken });
      assert.equal(api.status, 200, api.text);
      assert.equal(api.body.id, TEAMS_API);
      assert.equal(api.body.type, 'Microsoft.Web/locations/managedApis');
      assert.equal(api.body.properties.displayName, 'Microsoft Teams');
      assert.equal(api.body.properties.connectionParameters.token.type, 'oauthSetting');
      const other = await request(sandbox, 'GET', `/subscriptions/${SUB}/providers/Microsoft.Web/locations/${LOCATION}/managedApis/office365?api-version=2016-06-01`, { token: spToken });
      assert.equal(other.status, 404);
      const office = await putConnection('office', { location: LOCATION, properties: { api: { id: TEAMS_API.replace(/teams$/, 'office365') } } });
      assert.equal(office.status, 400);
      assert.equal(office.body.error.code, 'InvalidApiId');
      assert.match(office.body.error.message, /managed API 'office365' does not exist/);
      const elsewhere = await putConnection('elsewhere', { location: 'northeurope', properties: { api: { id: TEAMS_API } } });
      assert.equal(elsewhere.status, 400);
      assert.equal(elsewhere.body.error.code, 'InvalidApiId');
      assert.match(elsewhere.body.error.message, /location 'westeurope' does not match the connection's location 'northeurope'/);
      const gone = await request(sandbox, 'GET', `${CONN}/elsewhere?api-version=2016-06-01`, { token: spToken });
      assert.equal(gone.status, 404);
    });

    it('a new connection is unauthenticated; a person of its tenant consents through the link; another tenant cannot; a re-PUT keeps consent', async () => {
      const created = await putConnection('teams', { location: LOCATION, properties: { displayName: 'Approvals (Teams)', api: { id: TEAMS_API } }, tags: { purpose: 'approvals' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.type, 'Microsoft.Web/connections');
      assert.equal(created.body.id, `${CONN}/teams`);
      assert.equal(created.body.properties.api.name, 'teams');
      assert.equal(created.body.properties.api.displayName, 'Microsoft Teams');
      assert.equal(created.body.properties.overallStatus, 'Error');
      assert.deepEqual(created.body.properties.statuses, [{ status: 'Error', target: 'token', error: { code: 'Unauthenticated', message: 'This connection is not authenticated.' } }]);
      const preview = await request(sandbox, 'GET', `${CONN}/teams?api-version=2018-07-01-preview`, { token: spToken });
      assert.equal(preview.status, 200);
      const listed = await request(sandbox, 'GET', `${CONN}?api-version=2016-06-01`, { token: spToken });
      assert.deepEqual(listed.body.value.map((c: { name: string }) => c.name), ['teams']);
      // Another tenant's caller cannot even read it.
      const foreign = await request(sandbox, 'GET', `${CONN}/teams?api-version=2016-06-01`, { token: benToken });
      assert.equal(foreign.status, 403);

      const links = await request(sandbox, 'POST', `${CONN}/teams/listConsentLinks?api-version=2016-06-01`, { token: spToken, body: { parameters: [{ parameterName: 'token', redirectUrl: 'https://portal.azure.com/redirect' }] } });
      assert.equal(links.status, 200, links.text);
      const link = links.body.value[0];
      assert.deepEqual([link.status, link.displayName, link.firstPartyLoginUri], ['Unauthenticated', 'Microsoft Teams', '']);
      assert.ok(String(link.link).startsWith(`${sandbox.armEndpoint}/teams/consent/`), link.link);

      const wrongTenant = await request(sandbox, 'POST', link.link, { token: benToken });
      assert.equal(wrongTenant.status, 403);
      assert.equal(wrongTenant.body.error.code, 'ConsentTenantMismatch');
      const app = await request(sandbox, 'POST', link.link, { token: spToken });
      assert.equal(app.status, 403, 'a service principal cannot sign in for Teams');
      assert.equal((await request(sandbox, 'POST', link.link)).status, 401, 'signing in needs a token');
      assert.equal((await request(sandbox, 'GET', `${CONN}/teams?api-version=2016-06-01`, { token: spToken })).body.properties.overallStatus, 'Error');

      const ok = await request(sandbox, 'POST', link.link, { token: ava.token });
      assert.equal(ok.status, 200, ok.text);
      const connected = await request(sandbox, 'GET', `${CONN}/teams?api-version=2016-06-01`, { token: spToken });
      assert.equal(connected.body.properties.overallStatus, 'Connected');
      assert.deepEqual(connected.body.properties.statuses, [{ status: 'Connected' }]);
      assert.deepEqual(connected.body.properties.authenticatedUser, { name: ava.email });
      const used = await request(sandbox, 'POST', link.link, { token: ava.token });
      assert.equal(used.status, 404, 'a consent link signs in once');

      const again = await putConnection('teams', { location: LOCATION, properties: { displayName: 'Approvals (Teams) v2', api: { id: TEAMS_API } }, tags: { purpose: 'approvals', v: '2' } });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.properties.overallStatus, 'Connected');
      assert.equal(again.body.properties.displayName, 'Approvals (Teams) v2');
      assert.deepEqual(again.body.tags, { purpose: 'approvals', v: '2' });
      const relink = await request(sandbox, 'POST', `${CONN}/teams/listConsentLinks?api-version=2016-06-01`, { token: spToken, body: { parameters: [{ parameterName: 'token', redirectUrl: 'https://portal.azure.com/redirect' }] } });
      assert.equal(relink.body.value[0].status, 'Authenticated');
    });

    it('checks RBAC like every ARM resource: a person of the tenant without a role can neither read, change nor get consent links', async () => {
      const read = await request(sandbox, 'GET', `${CONN}/teams?api-version=2016-06-01`, { token: guest.token });
      assert.equal(read.status, 403);
      assert.equal(read.body.error.code, 'AuthorizationFailed');
      assert.match(read.body.error.message, /Microsoft\.Web\/connections\/read/);
      const links = await request(sandbox, 'POST', `${CONN}/teams/listConsentLinks?api-version=2016-06-01`, { token: guest.token, body: { parameters: [{ parameterName: 'token', redirectUrl: 'https://portal.azure.com/redirect' }] } });
      assert.equal(links.status, 403);
      assert.match(links.body.error.message, /Microsoft\.Web\/connections\/listConsentLinks\/action/);
      const put = await request(sandbox, 'PUT', `${CONN}/teams?api-version=2016-06-01`, { token: guest.token, body: { location: LOCATION, properties: { api: { id: TEAMS_API } } } });
      assert.equal(put.status, 403);
      assert.equal((await request(sandbox, 'GET', `${TEAMS_API}?api-version=2016-06-01`, { token: guest.token })).status, 403);
    });
  });

  describe('ApiConnectionWebhook: Post adaptive card and wait for a response', () => {
    let ranUnauthenticated = '';

    it('with an unauthenticated connection the wait fails as the connector does and the run fails', async () => {
      assert.equal((await putConnection('teams-new', { location: LOCATION, properties: { api: { id: TEAMS_API } } })).status, 201);
      await logic.workflows.createOrUpdate(RG, 'approve', connectorWorkflow(`${CONN}/teams-new`, 'teams-new'));
      const cb = await logic.workflows.triggerCallbackUrl(RG, 'approve', 'manual');
      const started = await logic.invokeTrigger(cb.value!, { card: card('share sales-2024?') }, { clientTrackingId: 'req-unauth' });
      assert.equal(started.status, 202);
      ranUnauthenticated = started.runName;
      const run = await logic.runs.get(RG, 'approve', started.runName);
      assert.equal(run.status, 'Failed');
      assert.match(JSON.stringify(run.error), /not authenticated/);
      const actions = (await logic.runs.actions(RG, 'approve', started.runName).collect()).items;
      const wait = actions.find((a) => a.name === 'Wait_for_response');
      assert.equal(wait?.status, 'Failed');
      assert.equal(wait?.code, 'Unauthorized');
      assert.match(JSON.stringify(wait?.error), /teams-new' is not authenticated.*Authorize/);
      assert.ok(!(await pendingCards(ava.token)).some((c) => c.runName === started.runName), 'nothing was posted');
    });

    it('after consent the card waits in the channel with its recipient; a second person answers and the run carries the verified responder', async () => {
      assert.equal((await consentAs('teams-new', ava.token)).status, 200);
      const cb = await logic.workflows.triggerCallbackUrl(RG, 'approve', 'manual');
      const posted = card('share sales-2024 with Fabrikam?');
      const started = await logic.invokeTrigger(cb.value!, { card: posted }, { clientTrackingId: 'req-2' });
      const running = await logic.runs.get(RG, 'approve', started.runName);
      assert.equal(running.status, 'Running');
      const waiting = (await logic.runs.actions(RG, 'approve', started.runName).collect()).items;
      assert.equal(waiting.find((a) => a.name === 'Wait_for_response')?.status, 'Waiting');
      const byTracking = (await logic.runs.list(RG, 'approve', { filter: "ClientTrackingId eq 'req-2'" }).collect()).items;
      assert.deepEqual(byTracking.map((r) => r.name), [started.runName]);
      const runningOnly = (await logic.runs.list(RG, 'approve', { filter: "status eq 'Running'" }).collect()).items;
      assert.deepEqual(runningOnly.map((r) => r.name), [started.runName]);
      assert.deepEqual((await logic.runs.list(RG, 'approve', { filter: "status eq 'Failed'" }).collect()).items.map((r) => r.name), [ranUnauthenticated]);

      const cards = await pendingCards(guest.token);
      const mine = cards.find((c) => c.runName === started.runName);
      assert.ok(mine, 'the card waits in the connection tenant\'s channel');
      assert.deepEqual(mine.card, posted);
      assert.deepEqual(mine.recipient, { groupId: 'team-1', channelId: '19:approvals@thread.tacv2' });
      assert.deepEqual([mine.kind, mine.poster, mine.location, mine.postedAs, mine.actionName], ['ApiConnectionWebhook', 'Flow bot', 'Channel', ava.email, 'Wait_for_response']);
      assert.ok(!JSON.stringify(cards).includes('sig='), 'the callback URL is never served');
      assert.ok(!(await pendingCards(benToken)).some((c) => c.runName === started.runName), 'another tenant does not see it');

      const answered = await request(sandbox, 'POST', `/teams/approvals/${mine.id}/respond`, { token: guest.token, body: { action: 'Approve', comment: 'fine by me', responder: { displayName: 'Someone Else' } } });
      assert.equal(answered.status, 200, answered.text);
      const done = await logic.runs.get(RG, 'approve', started.runName);
      assert.equal(done.status, 'Succeeded');
      const answer = (done.outputs as Record<string, { value: { submitActionId: string; data: { comment: string }; responseTime: string; responder: Record<string, string> } }>).answer.value;
      assert.equal(answer.submitActionId, 'Approve');
      assert.equal(answer.data.comment, 'fine by me');
      assert.ok(!Number.isNaN(Date.parse(answer.responseTime)));
      assert.equal(answer.responder.objectId, guest.objectId);
      assert.equal(answer.responder.tenantId, contoso.tenantId);
      assert.equal(answer.responder.email, fabrikam.users[0].email);
      assert.notEqual(answer.responder.displayName, 'Someone Else');
      const again = await request(sandbox, 'POST', `/teams/approvals/${mine.id}/respond`, { token: ava.token, body: { action: 'Reject' } });
      assert.equal(again.status, 409);
    });

    it('fails the action clearly for another poster, a message that is not an Adaptive Card, or a deleted connection', async () => {
      await logic.workflows.createOrUpdate(RG, 'probe', connectorWorkflow(`${CONN}/teams`, 'teams', "@{encodeURIComponent(triggerBody()?['poster'])}"));
      const cb = await logic.workflows.triggerCallbackUrl(RG, 'probe', 'manual');
      const failureOf = async (body: unknown): Promise<{ code?: string; message: string }> => {
        const { runName } = await logic.invokeTrigger(cb.value!, body);
        const run = await logic.runs.get(RG, 'probe', runName);
        assert.equal(run.status, 'Failed');
        const wait = (await logic.runs.actions(RG, 'probe', runName).collect()).items.find((a) => a.name === 'Wait_for_response');
        assert.equal(wait?.status, 'Failed');
        return { code: wait?.code, message: JSON.stringify(wait?.error) };
      };
      const user = await failureOf({ poster: 'User', card: card('x') });
      assert.equal(user.code, 'BadRequest');
      assert.match(user.message, /posts as 'Flow bot' in a 'Channel'; poster 'User'/);
      const text = await failureOf({ poster: 'Flow bot', card: 'approve please' });
      assert.equal(text.code, 'BadRequest');
      assert.match(text.message, /messageBody' is not valid JSON/);
      const legacy = await failureOf({ poster: 'Flow bot', card: { type: 'MessageCard', text: 'x' } });
      assert.match(legacy.message, /must be an Adaptive Card/);
      assert.equal((await pendingCards(ava.token)).filter((c) => c.workflowId.endsWith('/probe')).length, 0);
      // A path other than the gatherinput subscription.
      const wf = connectorWorkflow(`${CONN}/teams`, 'teams');
      ((wf.definition as { actions: { Wait_for_response: { inputs: { path: string } } } }).actions.Wait_for_response.inputs).path = '/v3/beta/teams/conversation/message/poster/Flow%20bot/location/Channel';
      await logic.workflows.createOrUpdate(RG, 'probe', wf);
      const other = await failureOf({ card: card('x') });
      assert.equal(other.code, 'NotFound');
      assert.match(other.message, /serves one webhook operation/);
      // The connection deleted under the workflow.
      await logic.workflows.createOrUpdate(RG, 'probe', connectorWorkflow(`${CONN}/doomed`, 'doomed'));
      assert.equal((await putConnection('doomed', { location: LOCATION, properties: { api: { id: TEAMS_API } } })).status, 201);
      assert.equal((await request(sandbox, 'DELETE', `${CONN}/doomed?api-version=2016-06-01`, { token: spToken })).status, 200);
      const missing = await failureOf({ card: card('x') });
      assert.equal(missing.code, 'ApiConnectionNotFound');
    });

    it('times out on the sandbox clock after limit.timeout: the action is TimedOut, the run fails, the card takes no answer', async () => {
      const cb = await logic.workflows.triggerCallbackUrl(RG, 'approve', 'manual');
      const { runName } = await logic.invokeTrigger(cb.value!, { card: card('nobody answers') }, { clientTrackingId: 'req-timeout' });
      const pending = (await pendingCards(ava.token)).find((c) => c.runName === runName);
      assert.ok(pending);
      await sandbox.advanceClock(1439 * 60);
      assert.equal((await logic.runs.get(RG, 'approve', runName)).status, 'Running', 'still waiting a minute before the timeout');
      await sandbox.advanceClock(2 * 60);
      const run = await logic.runs.get(RG, 'approve', runName);
      assert.equal(run.status, 'Failed');
      const wait = (await logic.runs.actions(RG, 'approve', runName).collect()).items.find((a) => a.name === 'Wait_for_response');
      assert.equal(wait?.status, 'TimedOut');
      const late = await request(sandbox, 'POST', `/teams/approvals/${pending.id}/respond`, { token: ava.token, body: { action: 'Approve' } });
      assert.equal(late.status, 409);
    });
  });

  describe('Request trigger with OAuth (Microsoft Entra ID)', () => {
    let url: URL;

    before(async () => {
      const wf = await logic.workflows.createOrUpdate(RG, 'approve-decisions', decisionsWorkflow(contoso.tenantId));
      assert.deepEqual(wf.accessControl?.triggers?.openAuthenticationPolicies?.policies, decisionsWorkflow(contoso.tenantId).accessControl?.triggers?.openAuthenticationPolicies?.policies);
      const cb = await logic.workflows.triggerCallbackUrl(RG, 'approve-decisions', 'manual');
      url = new URL(cb.value!);
      url.searchParams.delete('sig');
    });

    it('stores the policy and serves it back; refuses a policy without an issuer', async () => {
      const got = await logic.workflows.get(RG, 'approve-decisions');
      assert.deepEqual(got.accessControl?.triggers?.openAuthenticationPolicies?.policies?.callers, { type: 'AAD', claims: [{ name: 'iss', value: `https://sts.windows.net/${contoso.tenantId}/` }, { name: 'aud', value: MGMT }] });
      const noIssuer = decisionsWorkflow(contoso.tenantId);
      noIssuer.accessControl = { triggers: { openAuthenticationPolicies: { policies: { p: { type: 'AAD', claims: [{ name: 'aud', value: MGMT }] } } } } };
      await assert.rejects(logic.workflows.createOrUpdate(RG, 'no-issuer', noIssuer), (e: { statusCode?: number; code?: string; message?: string }) => e.statusCode === 400 && e.code === 'InvalidAccessControlConfiguration' && /issuer claim 'iss'/.test(e.message ?? ''));
    });

    it("a Contoso user's bearer (management.core.windows.net) starts a run whose outputs are the caller's verified claims; the trigger outputs are secured", async () => {
      const token = await userToken(contoso, `${MGMT}/.default`);
      assert.equal(decodeJwt(token).aud, MGMT);
      const res = await request(sandbox, 'POST', url.toString(), { token, body: { decision: { requestKey: 'k-1', outcome: 'Approve' } }, headers: { 'x-ms-client-tracking-id': 'decision-k-1' } });
      assert.equal(res.status, 202, res.text);
      const runName = String(res.headers['x-ms-workflow-run-id']);
      const run = await logic.runs.get(RG, 'approve-decisions', runName);
      assert.equal(run.status, 'Succeeded', JSON.stringify(run.error));
      const outputs = run.outputs as Record<string, { value: Record<string, string> }>;
      assert.deepEqual(outputs.caller.value, { oid: ava.objectId, tid: contoso.tenantId, name: ava.displayName, upn: ava.email });
      assert.deepEqual(outputs.decision.value, { requestKey: 'k-1', outcome: 'Approve' });
      assert.equal(run.trigger?.outputsLink, undefined, 'secure trigger outputs have no outputsLink');
      const raw = await request(sandbox, 'GET', `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/approve-decisions/runs/${runName}?api-version=2016-06-01`, { token: spToken });
      assert.equal(raw.body.properties.trigger.outputsLink, undefined);
      assert.ok(!raw.text.includes(token.split('.')[2]), 'the bearer is never served');
      const listed = (await logic.runs.list(RG, 'approve-decisions', { filter: "ClientTrackingId eq 'decision-k-1'" }).collect()).items;
      assert.deepEqual(listed.map((r) => r.name), [runName]);
    });

    it('refuses a token of another tenant (MisMatchingOAuthClaims), a wrong audience, a broken or expired token, sig plus bearer, and no credential', async () => {
      const benMgmt = await userToken(fabrikam, `${MGMT}/.default`);
      const wrongTenant = await request(sandbox, 'POST', url.toString(), { token: benMgmt, body: {} });
      assert.equal(wrongTenant.status, 401);
      assert.equal(wrongTenant.body.error.code, 'MisMatchingOAuthClaims');
      assert.equal(wrongTenant.body.error.message, 'One or more claims either are missing or does not match with the open authentication access control policy.');
      const armAudience = await request(sandbox, 'POST', url.toString(), { token: ava.token, body: {} });
      assert.equal(armAudience.status, 401, 'aud https://management.azure.com does not equal the policy');
      assert.equal(armAudience.body.error.code, 'MisMatchingOAuthClaims');
      const good = await userToken(contoso, `${MGMT}/.default`);
      const [h, p] = good.split('.');
      const forged = `${h}.${p}.${Buffer.from('forged').toString('base64url')}`;
      const broken = await request(sandbox, 'POST', url.toString(), { token: forged, body: {} });
      assert.equal(broken.status, 401);
      assert.equal(broken.body.error.code, 'InvalidAuthenticationToken');
      const expired = await request(sandbox, 'POST', url.toString(), { token: await adminToken(sandbox, ava.objectId, MGMT, -120), body: {} });
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, 'ExpiredAuthenticationToken');
      const cb = await logic.workflows.triggerCallbackUrl(RG, 'approve-decisions', 'manual');
      const both = await request(sandbox, 'POST', cb.value!, { token: good, body: {} });
      assert.equal(both.status, 400);
      assert.equal(both.body.error.code, 'DirectApiRequestHasMoreThanOneAuthorization');
      assert.match(both.body.error.message, /both SAS authentication scheme and 'Bearer' authorization scheme/);
      const none = await request(sandbox, 'POST', url.toString(), { body: {} });
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'DirectApiAuthorizationRequired');
      // A workflow without a policy takes no bearer.
      const approveCb = new URL((await logic.workflows.triggerCallbackUrl(RG, 'approve', 'manual')).value!);
      approveCb.searchParams.delete('sig');
      const noPolicy = await request(sandbox, 'POST', approveCb.toString(), { token: good, body: {} });
      assert.equal(noPolicy.status, 401);
      assert.equal(noPolicy.body.error.code, 'DirectApiAuthorizationRequired');
      const failedRuns = (await logic.runs.list(RG, 'approve-decisions').collect()).items;
      assert.equal(failedRuns.length, 1, 'no refused call started a run');
    });

    it('without IncludeAuthorizationHeadersInOutputs the Authorization header is not in the trigger outputs', async () => {
      await logic.workflows.createOrUpdate(RG, 'no-auth-header', decisionsWorkflow(contoso.tenantId, { includeAuthorization: false }));
      const cb = new URL((await logic.workflows.triggerCallbackUrl(RG, 'no-auth-header', 'manual')).value!);
      cb.searchParams.delete('sig');
      const res = await request(sandbox, 'POST', cb.toString(), { token: await userToken(contoso, `${MGMT}/.default`), body: {} });
      assert.equal(res.status, 202, res.text);
      const run = await logic.runs.get(RG, 'no-auth-header', String(res.headers['x-ms-workflow-run-id']));
      assert.equal((run.outputs as Record<string, { value: unknown }>).caller.value, 'no Authorization header');
    });

    it('evaluates the string, math and logic functions the templates use (and fails the action on bad base64)', async () => {
      await logic.workflows.createOrUpdate(RG, 'functions', {
        location: LOCATION,
        definition: {
          triggers: { manual: { type: 'Request', kind: 'Http' } },
          actions: {
            Values: {
              type: 'Compose',
              runAfter: {},
              inputs: {
                split: "@split('a.b.c', '.')",
                replace: "@replace('a-b-c', '-', '+')",
                decoded: "@base64ToString('aGVsbG8gd29ybGQ=')",
                sub: "@substring('approvals', 3, 4)",
                tail: "@substring('approvals', 3)",
                math: '@add(mod(sub(4, mod(7, 4)), 4), 10)',
                length: "@length(split('a,b', ','))",
                encoded: "@encodeURIComponent('Flow bot (x)')",
                lower: "@toLower('Channel')",
                same: "@equals(toLower('A'), 'a')",
                branch: "@if(equals(1, 2), 'yes', 'no')",
                ends: "@concat(first('xyz'), last(split('a.b', '.')))",
                object: "@string(json('{\"a\":1}'))",
              },
            },
            Bad: { type: 'Compose', runAfter: { Values: ['Succeeded'] }, inputs: "@base64ToString('not base64!')" },
          },
          outputs: { values: { type: 'Object', value: "@outputs('Values')" } },
        },
      });
      const cb = await logic.workflows.triggerCallbackUrl(RG, 'functions', 'manual');
      const { runName } = await logic.invokeTrigger(cb.value!, {});
      const actions = (await logic.runs.actions(RG, 'functions', runName).collect()).items;
      const bad = actions.find((a) => a.name === 'Bad');
      assert.equal(bad?.status, 'Failed');
      assert.equal(bad?.code, 'InvalidTemplate');
      assert.match(JSON.stringify(bad?.error), /not valid base64/);
      const run = await logic.runs.get(RG, 'functions', runName);
      assert.equal(run.status, 'Failed');
      // The run failed on Bad, so read the values through a second workflow without it.
      const def = (await logic.workflows.get(RG, 'functions')).definition as { actions: Record<string, unknown> };
      delete def.actions.Bad;
      await logic.workflows.createOrUpdate(RG, 'functions', { location: LOCATION, definition: def });
      const ok = await logic.invokeTrigger((await logic.workflows.triggerCallbackUrl(RG, 'functions', 'manual')).value!, {});
      const values = ((await logic.runs.get(RG, 'functions', ok.runName)).outputs as Record<string, { value: Record<string, unknown> }>).values.value;
      assert.deepEqual(values, {
        split: ['a', 'b', 'c'],
        replace: 'a+b+c',
        decoded: 'hello world',
        sub: 'rova',
        tail: 'rovals',
        math: 11,
        length: 2,
        encoded: 'Flow%20bot%20%28x%29',
        lower: 'channel',
        same: true,
        branch: 'no',
        ends: 'xb',
        object: '{"a":1}',
      });
    });
  });
});
