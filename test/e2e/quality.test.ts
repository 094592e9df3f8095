/**
 * Check Data Quality… clicked through a real VS Code (code-server) against a real sandbox: run from
 * the command palette on a folder with a bad CSV, the rules file found by name in the workspace;
 * the Data Quality view appears with the failing rule and its failing row.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import type { RecipePlan } from '../../src/workflows/plan';
import { stepsFor } from '../../src/workflows/recipe';
import { freshPlan, recipeEnv, runRecipe } from '../integration/support/recipe';
import { Workbench } from './workbench';

const ORDERS = [
  'order_id,customer,status,amount,order_date',
  '1001,ada@contoso.example,shipped,120.50,2026-11-02',
  '1002,alan@contoso.example,open,80.00,2026-11-03',
  '1003,grace@contoso.example,shipped,-45.10,2026-11-03',
].join('\n') + '\n';

const RULES = `version: 1
dataset: orders
rules:
  - kind: not_null
    column: order_id
  - kind: range
    column: amount
    min: 0
  - kind: accepted_values
    column: status
    values: [open, shipped, delivered]
`;

describe('Data quality, in a real VS Code', function () {
  this.timeout(240000);
  let wb: Workbench;
  let sandbox: RunningSandbox;
  let plan: RecipePlan;
  const log: string[] = [];
  const quickInput = () => wb.page.locator('.quick-input-widget');

  /** Answers each prompt with the first rule whose pattern matches what it shows (else its default), then Enter. */
  async function answer(rules: Array<[RegExp, string]>): Promise<void> {
    let lastText = '';
    for (let i = 0; i < 12; i++) {
      const end = Date.now() + 15000;
      let text = '';
      for (;;) {
        if (await quickInput().isVisible()) {
          text = (await quickInput().innerText()).replace(/\s+/g, ' ');
          if (text !== lastText && !/Loading|^\s*$/.test(text)) break;
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
      if (rule) {
        await quickInput().locator('input.input').fill(rule[1]);
        await wb.page.waitForTimeout(300);
      }
      await wb.page.keyboard.press('Enter');
      await wb.page.waitForTimeout(400);
    }
  }

  before(async function () {
    this.timeout(300000);
    wb = await Workbench.open({ prepareWorkspace: (dir) => fs.writeFileSync(path.join(dir, 'orders.dq.yaml'), RULES) });
    sandbox = await startSandbox({ port: 0, dataDir: path.join(wb.workspace, '.sandbox'), quiet: true, lroRetryAfterSeconds: 0 });
    plan = freshPlan('dqui');
    delete plan.provider.purviewAccount;
    delete plan.consumer.purviewAccount;
    // The editor signs in as the seeded user: that user gets the data role on the storage.
    plan.provider.identity = 'user';
    plan.share.sampleData = false;
    plan.share.files = { 'orders/2026/orders.csv': ORDERS };
    const env = await recipeEnv(sandbox, plan);
    const setup = await runRecipe(env, undefined, stepsFor(['provider.upload']));
    assert.ok(setup.ok, JSON.stringify(setup.outcomes));
    await wb.openContainer();
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    await wb.view('Shares').getByRole('treeitem', { name: /Tenant Contoso/ }).waitFor({ timeout: 30000 });
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
  });

  it('Check Data Quality… from the palette shows the failing rule and its failing row in the Data Quality view', async () => {
    await wb.runCommand('Governed Data Share: Check Data Quality…');
    await answer([
      [/A storage container, folder or file/, 'storage container'],
      // The tenants (the provider's storage is in Contoso); the storage account and container are the only ones there.
      [/Fabrikam/, 'Contoso'],
      [/Folder or file in the container/, 'orders'],
    ]);
    const view = wb.view('Data Quality');
    const failed = view.getByRole('treeitem', { name: /^Rule .*range on amount, failed/ });
    await failed.waitFor({ timeout: 60000 }).catch(async (e: Error) => {
      const shot = await wb.screenshot(`failed-quality-${Date.now()}`);
      throw new Error(`${e.message}\nprompts seen:\n${log.join('\n')}\nscreenshot: ${shot}`);
    });
    assert.match(await failed.innerText(), /1 of 3 failed/);
    const sample = view.getByRole('treeitem', { name: /^Failing row 1 of rule .*order_id 1003.*amount -45\.1/ });
    await sample.waitFor({ timeout: 10000 });
    await view.getByRole('treeitem', { name: /^Rule .*not_null on order_id, passed/ }).waitFor({ timeout: 10000 });
    // The Activity view has the check, failed, and the notification offers the report.
    await wb.view('Activity').getByRole('treeitem', { name: /Check data quality of .*Failed/ }).first().waitFor({ timeout: 20000 });
    // Open Data Quality Report puts the Markdown report in an editor.
    await wb.runCommand('Governed Data Share: Open Data Quality Report');
    // (the editor draws spaces as no-break spaces)
    await wb.page.locator('.monaco-editor .view-lines', { hasText: /#\sData\squality\sof\s/ }).first().waitFor({ timeout: 20000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}\nscreenshot: ${await wb.screenshot(`failed-quality-report-${Date.now()}`)}`);
    });
    // For the picture: room for the Data Quality view (the catalog folded, a wider side bar).
    const catalog = wb.view('Purview Catalog').locator('.pane-header');
    if ((await catalog.getAttribute('aria-expanded')) === 'true') await catalog.click();
    await wb.page.keyboard.press('Escape');
    // The empty secondary side bar (Ctrl+Alt+B toggles it).
    if (await wb.page.locator('.part.auxiliarybar').isVisible()) await wb.page.keyboard.press('Control+Alt+KeyB');
    const box = await wb.page.locator('.part.sidebar').boundingBox();
    if (box) {
      await wb.page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
      await wb.page.mouse.down();
      await wb.page.mouse.move(box.x + box.width + 260, box.y + box.height / 2, { steps: 8 });
      await wb.page.mouse.up();
    }
    await sample.click();
    await wb.screenshot('data-quality');
  });
});
