/**
 * The approval commands with `logicApp.teams` inside a real VS Code, against the sandbox the
 * extension starts: Provision Approval Logic App… creates the Teams API connection and both
 * workflows and says the connection needs authorizing (Open in Portal goes to it); Request
 * Approval… stops with the portal step until a person authorized it; after that a request from the
 * provider's service principal waits for Teams, and Review Approval Requests… decides it under the
 * signed-in account through the decisions workflow's OAuth trigger.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startSandboxFromEditor } from './sandboxStart';
import { readSandboxCa, type SandboxDescription } from '../../src/auth/sandbox';
import { SCOPES } from '../../src/azure/cloud';
import { approvalWhere, listApprovalRequests, requestApproval } from '../../src/workflows/approvals';
import { createRecipeEnv, type RecipeEnv } from '../../src/workflows/env';
import type { RecipePlan } from '../../src/workflows/plan';

interface Result { ok: boolean; summary?: string; error?: string; resourceId?: string; [k: string]: unknown }

const run = (command: string, answers: Record<string, unknown>) =>
  vscode.commands.executeCommand<Result | undefined>(`governedDataShare.${command}`, { answers, confirm: true });

/** POST over the sandbox's HTTPS with a bearer token (what the portal's Authorize button does, in the sandbox). */
async function post(description: SandboxDescription, url: string, token: string, body: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const ca = await readSandboxCa(description);
  const u = new URL(url, description.armEndpoint);
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(u, { method: 'POST', ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('Approval commands with the Teams connector against the sandbox', function () {
  this.timeout(300000);
  let requester: RecipeEnv;
  let approverSide: RecipeEnv;
  let planFile: string;
  let description: SandboxDescription;
  const s = crypto.randomBytes(3).toString('hex');

  before(async () => {
    const started = await startSandboxFromEditor();
    description = started.description;
    const { contoso, fabrikam } = started;
    const plan: RecipePlan = {
      version: 1, target: 'sandbox', location: 'westeurope',
      provider: { tenantId: contoso.tenantId, subscriptionId: contoso.subscriptions[0].subscriptionId, identity: 'servicePrincipal', resourceGroup: `apcn-${s}`, storageAccount: `apcn${s}`, container: 'shared', dataShareAccount: `apcn-${s}` },
      consumer: { tenantId: fabrikam.tenantId, subscriptionId: fabrikam.subscriptions[0].subscriptionId, identity: 'user', resourceGroup: `apcn-${s}`, storageAccount: `apcnc${s}`, container: 'landing', dataShareAccount: `apcnc-${s}` },
      share: { name: `sales-${s}`, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] },
      invitation: { name: 'to-fabrikam', targetEmail: 'ben@fabrikam.onmicrosoft.com' },
      subscription: { name: `received-${s}` },
      governance: {
        policy: { blocked: [], requireJustification: [], unknown: 'allow' },
        approval: {
          required: { allowedConsumerTenants: [contoso.tenantId] },
          channel: 'editor',
          logicApp: { name: `apcn-${s}`, teams: { teamId: '3f0c9a4e-1b2d-4c5e-8f70-9a1b2c3d4e5f', channelId: '19:a1b2c3@thread.tacv2' } },
          requestReason: 'extension-host test (connector)',
        },
      },
    };
    planFile = path.join(os.tmpdir(), `apcn-${s}.recipe.json`);
    fs.writeFileSync(planFile, JSON.stringify(plan));
    requester = await createRecipeEnv(plan, { sandboxJson: started.file });
    approverSide = await createRecipeEnv({ ...plan, provider: { ...plan.provider, identity: 'user' } }, { sandboxJson: started.file });
    await requester.provider.clients.resources(plan.provider.subscriptionId).resourceGroups.createOrUpdate(plan.provider.resourceGroup, { location: 'westeurope' });
  });

  after(() => fs.rmSync(planFile, { force: true }));

  it('Provision Approval Logic App… creates the connection and both workflows and names the one step left: authorize the connection', async () => {
    const r = await run('provisionApprovalLogicApp', { planFile });
    assert.ok(r?.ok, JSON.stringify(r));
    assert.match(r?.summary ?? '', /authorize the Teams API connection apcn-.*-teams once: Open in Portal → Edit API connection → Authorize/);
    const connection = r?.connection as { id: string; connected: boolean } | undefined;
    assert.match(connection?.id ?? '', /\/providers\/Microsoft\.Web\/connections\/apcn-.*-teams$/);
    assert.strictEqual(connection?.connected, false);
    const where = approvalWhere(requester);
    const logic = requester.provider.clients.logic(where.subscriptionId);
    assert.strictEqual((await logic.workflows.get(where.resourceGroup, where.name)).state, 'Enabled');
    assert.strictEqual((await logic.workflows.get(where.resourceGroup, `${where.name}-decisions`)).state, 'Enabled');
    const asked = await run('requestApproval', { planFile });
    assert.strictEqual(asked?.ok, false);
    assert.match(asked?.error ?? '', /not authorized yet/);
  });

  it('after a person authorizes the connection, Review Approval Requests… decides a waiting request as the signed-in account', async () => {
    const where = approvalWhere(requester);
    const token = (await approverSide.provider.clients.credential.getToken(SCOPES.arm))!.token;
    const links = await post(description, `/subscriptions/${where.subscriptionId}/resourceGroups/${where.resourceGroup}/providers/Microsoft.Web/connections/${where.name}-teams/listConsentLinks?api-version=2016-06-01`, token, { parameters: [{ parameterName: 'token', redirectUrl: 'https://portal.azure.com/' }] });
    assert.strictEqual(links.status, 200, JSON.stringify(links.body));
    assert.ok((await post(description, String(links.body.value[0].link), token, {})).status < 300);
    const provisioned = await run('provisionApprovalLogicApp', { planFile });
    assert.match(provisioned?.summary ?? '', /Its Teams connection .* is authorized/);

    const asked = await requestApproval(requester, { signal: new AbortController().signal, report: () => undefined, audit: () => undefined });
    assert.ok(asked.requestId, 'the service principal asked');
    const r = await run('reviewApprovalRequests', { planFile, requestId: asked.requestId, decision: 'Approve', comment: 'approved in VS Code' });
    assert.ok(r?.ok, JSON.stringify(r));
    assert.match(r?.summary ?? '', /Ava Provider approved request/);
    const logic = requester.provider.clients.logic(where.subscriptionId);
    assert.strictEqual((await logic.runs.get(where.resourceGroup, where.name, asked.requestId)).status, 'Cancelled', 'the Teams wait ended');
    const decided = (await listApprovalRequests(requester.provider.clients, where)).find((x) => x.id === asked.requestId);
    assert.strictEqual(decided?.outcome, 'approved', 'the dashboard list reads the decision from the decisions workflow');
    assert.strictEqual(decided?.approver?.name, 'Ava Provider');
    assert.strictEqual(decided?.requester?.name, 'contoso-automation');
  });
});
