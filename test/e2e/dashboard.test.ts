import * as assert from 'assert';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import { Workbench } from './workbench';

/**
 * The sharing dashboard in a real VS Code (code-server) on a sandbox with the `history` seed (a
 * year of daily snapshots across six shares and consumers in four tenants): Open Sharing Dashboard
 * from the palette, the charts and their text alternatives, a filter, keyboard focus on a chart, a
 * reveal in the Shares tree from the figures, and the screenshot for the README
 * (test-results/screenshots/dashboard.png; the README's copy in media/screenshots is updated by hand).
 */
describe('Sharing dashboard against the local sandbox', function () {
  let wb: Workbench;
  let sandbox: RunningSandbox;

  before(async function () {
    this.timeout(240000);
    wb = await Workbench.open();
    sandbox = await startSandbox({ port: 0, dataDir: path.join(wb.workspace, '.sandbox'), quiet: true, lroRetryAfterSeconds: 0, seed: 'history' });
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
  });

  const view = (): FrameLocator => wb.editorFrame();

  it('opens on the seeded history with every chart and its text alternative, filters, and reveals a share', async function () {
    this.timeout(240000);
    await wb.openContainer();
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    await wb.page.locator('.sidebar .pane', { hasText: /Contoso/ }).first().waitFor({ timeout: 30000 });

    await wb.runCommand('Governed Data Share: Open Sharing Dashboard');
    const status = view().locator('#status');
    await status.filter({ hasText: /snapshot\(s\) of 6 sent and \d+ received share/ }).waitFor({ timeout: 120000 });

    // The README picture, from the top (side bars closed so the dashboard has room).
    if (await wb.page.locator('.part.auxiliarybar:visible').count()) await wb.page.keyboard.press('Control+Alt+KeyB');
    if (await wb.page.locator('.part.sidebar:visible').count()) await wb.page.keyboard.press('Control+KeyB');
    await wb.page.mouse.move(700, 880);
    await wb.page.waitForTimeout(800);
    await view().locator('#tiles').evaluate(() => window.scrollTo(0, 0));
    await wb.screenshot('dashboard');
    await wb.page.keyboard.press('Control+KeyB');

    // Six charts, each a focusable image whose label is its summary, each with its data as a table.
    const canvases = view().locator('canvas[role=img]');
    assert.strictEqual(await canvases.count(), 6);
    for (let i = 0; i < 6; i++) {
      const label = (await canvases.nth(i).getAttribute('aria-label')) ?? '';
      assert.ok(label.length > 30, `chart ${i} has a text alternative: ${label}`);
      assert.strictEqual(await canvases.nth(i).getAttribute('tabindex'), '0');
      const box = await canvases.nth(i).boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `chart ${i} is drawn (${JSON.stringify(box)})`);
    }
    assert.strictEqual(await view().locator('details.alt table').count(), 6);
    assert.match(await view().locator('#summary-consumers').innerText(), /Fabrikam: 3 share\(s\), 1 consumer\(s\); Northwind: 3 share\(s\)/);
    assert.match(await view().locator('#summary-classified').innerText(), /MICROSOFT\.PERSONAL\.EMAIL: 3 asset\(s\)/);
    assert.match(await view().locator('#summary-coverage').innerText(), /3 of 6 shared assets have a recorded cross-tenant lineage link \(50\.0 %\)/);
    const overdue = await view().locator('#summary-last').innerText();
    assert.match(overdue, /contoso-customers-01 \(Contoso, \d+(\.\d+)? h\)/, overdue);
    assert.match(await view().locator('#tiles').innerText(), /Snapshot success rate\s*\n?\s*/);
    assert.match(await view().locator('#card-quality').innerText(), /No data/);

    // The text alternative opens from the keyboard; a chart takes focus with Tab.
    await view().locator('#card-classified details.alt summary').focus();
    await wb.page.keyboard.press('Enter');
    await view().locator('#card-classified details.alt table tbody tr').first().waitFor({ timeout: 5000 });
    await view().locator('#chart-outcomes').focus();
    assert.strictEqual(await view().locator('#chart-outcomes').evaluate((e) => e === document.activeElement), true);


    // Filter to one tenant: the figures follow, without asking Azure again.
    await view().locator('#f-tenant').selectOption({ label: 'Fabrikam' });
    await status.filter({ hasText: /snapshot\(s\) of 2 sent and \d+ received share/ }).waitFor({ timeout: 30000 });
    await view().locator('#f-tenant').selectOption({ label: 'All tenants' });
    await status.filter({ hasText: /of 6 sent/ }).waitFor({ timeout: 30000 });

    // Reveal: the overdue share, from its row in the time-since-last-snapshot table, selected in the Shares view.
    await view().locator('#card-last details.alt summary').click();
    await view().getByRole('button', { name: 'Reveal contoso-customers-01', exact: true }).first().click();
    await wb.page.locator('.sidebar [role=treeitem][aria-selected=true]', { hasText: 'contoso-customers-01' }).waitFor({ timeout: 60000 });
  });
});
