/**
 * The approval commands inside a real VS Code, against the sandbox the extension starts: the
 * extension provisions the approval Logic App; a requester (the provider's service principal,
 * headless through the workflows API) asks; the person signed in to the editor (the provider's
 * user, their own account) reviews and approves; the editor's own request cannot be decided by the
 * same person.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startSandboxFromEditor } from './sandboxStart';
import { approvalWhere, listApprovalRequests, requestApproval } from '../../src/workflows/approvals';
import { createRecipeEnv, type RecipeEnv } from '../../src/workflows/env';
import type { RecipePlan } from '../../src/workflows/plan';

interface Result { ok: boolean; summary?: string; error?: string; [k: string]: unknown }

const run = (command: string, answers: Record<string, unknown>) =>
  vscode.commands.executeCommand<Result | undefined>(`governedDataShare.${command}`, { answers, confirm: true });

describe('Approval commands against the sandbox', function () {
  this.timeout(300000);
  let requester: RecipeEnv;
  let planFile: string;
  const s = crypto.randomBytes(3).toString('hex');

  before(async () => {
    const { file, contoso, fabrikam, description } = await startSandboxFromEditor();
    const plan: RecipePlan = {
      version: 1, target: 'sandbox', location: 'westeurope',
      provider: { tenantId: contoso.tenantId, subscriptionId: contoso.subscriptions[0].subscriptionId, identity: 'servicePrincipal', resourceGroup: `appr-${s}`, storageAccount: `appr${s}`, container: 'shared', dataShareAccount: `appr-${s}` },
      consumer: { tenantId: fabrikam.tenantId, subscriptionId: fabrikam.subscriptions[0].subscriptionId, identity: 'user', resourceGroup: `appr-${s}`, storageAccount: `apprc${s}`, container: 'landing', dataShareAccount: `apprc-${s}` },
      share: { name: `sales-${s}`, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] },
      invitation: { name: 'to-fabrikam', targetEmail: 'ben@fabrikam.onmicrosoft.com' },
      subscription: { name: `received-${s}` },
      governance: {
        policy: { blocked: [], requireJustification: [], unknown: 'allow' },
        approval: {
          required: { allowedConsumerTenants: [contoso.tenantId] },
          channel: 'editor',
          logicApp: { name: `approvals-${s}`, teamsWebhookUrl: `${description.armEndpoint}/teams/webhook/ext-${s}` },
          requestReason: 'extension-host test',
        },
      },
    };
    planFile = path.join(os.tmpdir(), `approvals-${s}.recipe.json`);
    fs.writeFileSync(planFile, JSON.stringify(plan));
    // The requester: the provider's service principal, headless (a different principal from the editor's user).
    requester = await createRecipeEnv(plan, { sandboxJson: file });
    await requester.provider.clients.resources(plan.provider.subscriptionId).resourceGroups.createOrUpdate(plan.provider.resourceGroup, { location: 'westeurope' });
  });

  after(() => fs.rmSync(planFile, { force: true }));

  it('Provision Approval Logic App… creates the workflow from the template, and a second run changes nothing', async () => {
    const r = await run('provisionApprovalLogicApp', { planFile });
    assert.ok(r?.ok, JSON.stringify(r));
    assert.match(r?.summary ?? '', /is ready in appr-/);
    const where = approvalWhere(requester);
    const wf = await requester.provider.clients.logic(where.subscriptionId).workflows.get(where.resourceGroup, where.name);
    assert.strictEqual(wf.state, 'Enabled');
    const again = await run('provisionApprovalLogicApp', { planFile });
    assert.match(again?.summary ?? '', /was already in place/);
  });

  it('Review Approval Requests… approves a request from another principal under the signed-in account', async () => {
    const asked = await requestApproval(requester, { signal: new AbortController().signal, report: () => undefined, audit: () => undefined });
    assert.ok(asked.requestId, 'the service principal asked');
    const r = await run('reviewApprovalRequests', { planFile, requestId: asked.requestId, decision: 'Approve', comment: 'approved in VS Code' });
    assert.ok(r?.ok, JSON.stringify(r));
    assert.match(r?.summary ?? '', /Ava Provider approved request/);
    const where = approvalWhere(requester);
    const item = (await listApprovalRequests(requester.provider.clients, where)).find((x) => x.id === asked.requestId);
    assert.strictEqual(item?.outcome, 'approved');
    assert.strictEqual(item?.approver?.name, 'Ava Provider');
    assert.strictEqual(item?.requester?.name, 'contoso-automation');
  });

  it('Request Approval… from the editor; the same person cannot decide it in Review Approval Requests…', async () => {
    const asked = await run('requestApproval', { planFile });
    assert.ok(asked?.ok, JSON.stringify(asked));
    assert.match(asked?.summary ?? '', /Approval requested \(.+\) because the consumer tenant .* is not on the allow-list/);
    const requestId = String(asked?.requestId);
    const r = await run('reviewApprovalRequests', { planFile, requestId, decision: 'Approve', comment: 'mine' });
    assert.strictEqual(r?.ok, false);
    assert.match(r?.error ?? '', /You asked for request .* so you cannot decide it/);
    const rejected = await run('reviewApprovalRequests', { planFile, requestId, decision: 'Reject', comment: ' ' });
    assert.strictEqual(rejected?.ok, false);
    assert.match(rejected?.error ?? '', /A rejection needs a comment/);
  });
});
