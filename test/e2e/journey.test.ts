/**
 * The main journeys, clicked through a real VS Code (code-server) against a real sandbox:
 * a bad name shows its validation message and creates nothing; as the provider, create a share,
 * add a dataset behind the governance gate and invite; as the consumer (the other tenant), accept
 * from the Pending invitations row, map and take a snapshot; both trees show the result; the
 * provider revokes. The infrastructure (storage, Data Share accounts) is set up first through
 * the same workflows, to keep the journey to the sharing itself.
 */
import * as assert from 'assert';
import * as path from 'path';
import type { Locator } from 'playwright-core';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import type { RecipeEnv } from '../../src/workflows/env';
import type { RecipePlan } from '../../src/workflows/plan';
import { stepsFor } from '../../src/workflows/recipe';
import { freshPlan, receivedBlobs, recipeEnv, runRecipe } from '../integration/support/recipe';
import { Workbench } from './workbench';

describe('Journeys through the commands, in a real VS Code', function () {
  this.timeout(240000);
  let wb: Workbench;
  let sandbox: RunningSandbox;
  let plan: RecipePlan;
  let env: RecipeEnv;
  const log: string[] = [];

  const quickInput = () => wb.page.locator('.quick-input-widget');

  /**
   * Answers the wizard's prompts as a person would: for each prompt, the first rule whose pattern
   * matches what the prompt shows types its text (a filter for lists, a value for inputs; a
   * function may act instead), then Enter; prompts no rule matches take their default. Stops when
   * a confirmation dialog or nothing is showing.
   */
  async function answer(rules: Array<[RegExp, string | ((w: Locator) => Promise<void>)]>): Promise<void> {
    let lastText = '';
    for (let i = 0; i < 20; i++) {
      const end = Date.now() + 15000;
      let text = '';
      for (;;) {
        if (await wb.page.locator('.monaco-dialog-box').isVisible()) return;
        if (await quickInput().isVisible()) {
          text = (await quickInput().innerText()).replace(/\s+/g, ' ');
          const title = text.match(/\(\d+\/\d+\)/)?.[0] ?? '';
          if (text !== lastText && (title || !/Results/.test(text)) && !/Loading|^\s*$/.test(text)) break;
        }
        if (Date.now() > end) {
          if (!(await quickInput().isVisible())) return;
          throw new Error(`the wizard stopped at: ${text}\n${log.join('\n')}`);
        }
        await wb.page.waitForTimeout(150);
      }
      await wb.page.waitForTimeout(300);
      text = (await quickInput().innerText()).replace(/\s+/g, ' ');
      lastText = text;
      log.push(text.slice(0, 160));
      const rule = rules.find(([re]) => re.test(text));
      const input = quickInput().locator('input.input');
      const action = rule?.[1];
      if (typeof action === 'function') {
        // A function answers (and submits) the prompt itself.
        await action(quickInput());
        await wb.page.waitForTimeout(400);
        continue;
      }
      if (typeof action === 'string') {
        await input.fill(action);
        await wb.page.waitForTimeout(300);
      }
      await wb.page.keyboard.press('Enter');
      await wb.page.waitForTimeout(400);
    }
  }

  async function confirm(button: RegExp): Promise<void> {
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 20000 }).catch(async (e: Error) => {
      const shot = await wb.screenshot(`failed-confirm-${Date.now()}`);
      throw new Error(`${e.message}\nprompts seen:\n${log.join('\n')}\nscreenshot: ${shot}`);
    });
    await dialog.getByRole('button', { name: button }).click();
  }

  async function activitySucceeded(name: RegExp): Promise<void> {
    await wb.view('Activity').getByRole('treeitem', { name }).first().waitFor({ timeout: 60000 });
  }

  before(async function () {
    this.timeout(300000);
    wb = await Workbench.open();
    sandbox = await startSandbox({ port: 0, dataDir: path.join(wb.workspace, '.sandbox'), quiet: true, lroRetryAfterSeconds: 0 });
    plan = freshPlan('ui');
    delete plan.provider.purviewAccount;
    delete plan.consumer.purviewAccount;
    plan.governance = { policy: { unknown: 'allow' } };
    // The editor signs in to the sandbox as each tenant's seeded user: that user owns the data roles.
    plan.provider.identity = 'user';
    env = await recipeEnv(sandbox, plan);
    const setup = await runRecipe(env, undefined, stepsFor(['provider.upload', 'provider.dataShareAccount', 'consumer.dataShareAccount', 'consumer.dataRole']));
    assert.ok(setup.ok, JSON.stringify(setup.outcomes));
    await wb.openContainer();
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    await wb.view('Shares').getByRole('treeitem', { name: /Tenant Contoso/ }).waitFor({ timeout: 30000 });
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
  });

  const shareRef = () => ({ subscriptionId: env.provider.subscriptionId, resourceGroupName: plan.provider.resourceGroup, accountName: plan.provider.dataShareAccount, shareName: 'monthly-sales' });

  it('a bad share name shows its validation message as you type, and nothing is created', async () => {
    await wb.runCommand('Governed Data Share: Create Share…');
    await answer([
      [/\(1\/\d\).*Contoso/, 'Contoso'],
      [/Name of the new share/, async (w) => {
        await w.locator('input.input').fill('bad name!');
        await w.locator('.quick-input-message', { hasText: /not a valid Data Share name/ }).waitFor({ timeout: 10000 });
        await wb.screenshot('10-bad-share-name');
        await wb.page.keyboard.press('Escape');
      }],
    ]);
    const shares = (await env.provider.clients.dataShare.shares.listByAccount({ subscriptionId: env.provider.subscriptionId, resourceGroupName: plan.provider.resourceGroup, accountName: plan.provider.dataShareAccount }).collect()).items;
    assert.deepEqual(shares, []);
  });

  it('as the provider: create a share, add a dataset behind the gate, invite the other tenant', async () => {
    await wb.runCommand('Governed Data Share: Create Share…');
    await answer([
      [/\(1\/\d\).*Contoso/, 'Contoso'],
      [/Name of the new share/, 'monthly-sales'],
      [/Description/, 'Monthly sales by region'],
      [/Terms of use/, 'Internal analytics only'],
    ]);
    await confirm(/^Create$/);
    await activitySucceeded(/Create share monthly-sales.*Succeeded/);
    assert.equal((await env.provider.clients.dataShare.shares.get(shareRef())).properties?.terms, 'Internal analytics only');

    await wb.runCommand('Governed Data Share: Add Datasets…');
    await answer([
      [/\(1\/\d+\).*Contoso/, 'Contoso'],
      [/\d+ Selected/, async (w) => {
        await w.locator('input.input').fill('sales/');
        await w.locator('.monaco-list-row', { hasText: /^\s*sales\/\s*$/ }).first().locator('.quick-input-list-checkbox, input[type=checkbox], .monaco-custom-toggle').first().click();
        await w.locator('.monaco-list-row', { hasText: /1 Selected|/ }).first().waitFor();
        await w.getByRole('button', { name: 'OK' }).click();
      }],
      // Nothing here was ever scanned: the default policy lets unknown data pass only with a reason.
      [/justification is required|Justification/i, 'Quarterly figures agreed with Fabrikam (contract 42)'],
    ]);
    await confirm(/^Add$/);
    await activitySucceeded(/Add 1 dataset\(s\) to monthly-sales.*Succeeded/);
    const sets = (await env.provider.clients.dataShare.dataSets.listByShare(shareRef()).collect()).items;
    assert.deepEqual(sets.map((s) => s.kind), ['BlobFolder']);

    await wb.runCommand('Governed Data Share: Invite Consumer…');
    await answer([
      [/\(1\/\d+\).*Contoso/, 'Contoso'],
      [/Whom to invite/, 'Fabrikam'],
    ]);
    await confirm(/^Invite$/);
    await activitySucceeded(/Invite .* to monthly-sales.*Succeeded/);
    await wb.screenshot('11-provider-shared');
  });

  it('as the consumer: accept from the pending invitation, map, snapshot; both trees show the result', async () => {
    const shares = wb.view('Shares');
    await wb.runCommand('Governed Data Share: Refresh');
    await wb.expand(shares.getByRole('treeitem', { name: /Pending invitations in Fabrikam/ }));
    const row = shares.getByRole('treeitem', { name: /Invitation to monthly-sales/ });
    await row.waitFor({ timeout: 30000 });
    await row.click();
    await row.locator('a.action-label[aria-label^="Accept Invitation"]').click();
    await answer([[/Name of the received share/, 'sales-from-contoso']]);
    await confirm(/Accept Terms and Receive/);
    await activitySucceeded(/Accept monthly-sales.*Succeeded/);

    await wb.runCommand('Governed Data Share: Map Datasets…');
    await answer([[/\(1\/\d+\).*(Contoso|Fabrikam)/, 'Fabrikam']]);
    await confirm(/^Map/);
    await activitySucceeded(/Map .*Succeeded/);

    await wb.runCommand('Governed Data Share: Snapshot Now…');
    await answer([[/\(1\/\d+\).*(Contoso|Fabrikam)/, 'Fabrikam'], [/Snapshot type/, 'Full copy']]);
    await confirm(/Run Snapshot/);
    await activitySucceeded(/Snapshot sales-from-contoso.*Succeeded/);
    assert.equal((await receivedBlobs(env)).size, 2);

    await wb.runCommand('Governed Data Share: Refresh');
    // Keep what the test looks at within the visible (virtualized) rows.
    await wb.collapse(shares.getByRole('treeitem', { name: /Tenant Contoso/ }));
    const pending = shares.getByRole('treeitem', { name: /Pending invitations in Fabrikam/ });
    if ((await pending.getAttribute('aria-expanded')) === 'true') await wb.collapse(pending);
    await wb.expand(shares.getByRole('treeitem', { name: /^Subscription Fabrikam/ }));
    await wb.expand(shares.getByRole('treeitem', { name: new RegExp(`Data Share account ${plan.consumer.dataShareAccount}`) }));
    await wb.expand(shares.getByRole('treeitem', { name: /Received shares of/ }));
    await wb.expand(shares.getByRole('treeitem', { name: /Received share sales-from-contoso/ }));
    await wb.screenshot('12-both-trees');
  });

  it('the provider revokes the consumer from its row', async () => {
    const shares = wb.view('Shares');
    await wb.runCommand('Governed Data Share: Revoke Consumer…');
    await answer([[/\(1\/\d+\).*Contoso/, 'Contoso']]);
    await confirm(/Revoke/);
    await activitySucceeded(/Revoke.*Succeeded/);
    const psubs = (await env.provider.clients.dataShare.providerShareSubscriptions.listByShare(shareRef()).collect()).items;
    assert.equal(psubs[0].properties?.shareSubscriptionStatus, 'Revoked');
    void shares;
    await wb.screenshot('13-revoked');
  });
});
