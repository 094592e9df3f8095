import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import type { RunningSandbox } from '../../src/sandbox';
import { createLineageScene, type LineageScene } from '../bench/lineageScene';
import { startWorkspaceSandbox } from './sandbox';
import { Workbench } from './workbench';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { REPO } = require(path.resolve(__dirname, '../../../scripts/lib/code-server')) as typeof import('../../scripts/lib/code-server');
const SCREENSHOT = path.join(REPO, 'test-results', 'screenshots', 'lineage.png');

/**
 * The lineage panel in a real VS Code (code-server) driven like a person: a sandbox where Contoso
 * shares a container with Fabrikam and both tenants' Purview accounts record the snapshot; Show
 * Lineage from the palette on a catalog asset, both tenants' lanes and the snapshot crossing
 * between them, a smaller depth, search, expand, and Export SVG through the save dialog.
 */
describe('Lineage panel against the local sandbox', function () {
  let wb: Workbench;
  let sandbox: RunningSandbox;
  let scene: LineageScene;

  before(async function () {
    this.timeout(240000);
    wb = await Workbench.open();
    ({ sandbox } = await startWorkspaceSandbox(wb));
    scene = await createLineageScene(sandbox, 'e2e');
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
  });

  const view = (): FrameLocator => wb.editorFrame();
  const nodesInView = async () => (await view().locator('#a11yNodes li').allTextContents()).join('\n');

  it('shows both tenants and the snapshot between them, expands a node, searches, and exports an SVG', async function () {
    this.timeout(240000);
    await wb.openContainer();
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    await wb.page.locator('.sidebar .pane', { hasText: /Contoso/ }).first().waitFor({ timeout: 30000 });

    // From the palette: pick the provider's raw container among the catalog's assets.
    await wb.runCommand('Governed Data Share: Show Lineage');
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10000 });
    const pick = wb.page.locator('.quick-input-list [role=option]', { hasText: scene.rawQn });
    await input.fill('raw');
    await pick.first().waitFor({ timeout: 60000 });
    await pick.first().click();

    // The webview: both tenants' assets and the snapshot crossing between them (depth 3 reads it all).
    const status = view().locator('#status');
    await status.filter({ hasText: /\d+ nodes, \d+ edges in 2 tenant/ }).waitFor({ timeout: 60000 });
    await view().locator('#fit').click();
    await view().locator('#a11yNodes li', { hasText: /in Fabrikam/ }).first().waitFor({ state: 'attached', timeout: 20000 });
    const listed = await nodesInView();
    assert.match(listed, /sales, container in Contoso, classified Email/);
    assert.match(listed, /landing, container in Fabrikam/);
    assert.match(listed, /reports, container in Fabrikam/);
    const cross = await view().locator('#a11yCross li').allTextContents();
    assert.strictEqual(cross.length, 1, cross.join('\n'));
    assert.match(cross[0], new RegExp(`^sales \\(Contoso\\) to Snapshot ${scene.flow.names.dataSet} \\(Fabrikam\\), share ${scene.flow.names.share}, subscription ${scene.flow.names.shareSubscription}, last snapshot Succeeded FullSync`));
    // The README picture: the graph with room to read it (side bars closed, fitted again).
    await wb.page.locator('.tabs-container .tab', { hasText: 'Lineage: raw' }).click();
    if (await wb.page.locator('.part.auxiliarybar:visible').count()) await wb.page.keyboard.press('Control+Alt+KeyB');
    if (await wb.page.locator('.part.sidebar:visible').count()) await wb.page.keyboard.press('Control+KeyB');
    await wb.page.waitForTimeout(500);
    await view().locator('#fit').click();
    await wb.page.waitForTimeout(500);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await wb.page.screenshot({ path: SCREENSHOT });

    // Depth 1: only raw -> nightly-etl -> sales is read.
    await view().locator('#depth').fill('1');
    await view().locator('#depth').press('Tab');
    await status.filter({ hasText: /^4 nodes/ }).waitFor({ timeout: 30000 });
    await view().locator('#a11yNodes li', { hasText: /in Fabrikam/ }).first().waitFor({ state: 'detached', timeout: 10000 });
    assert.match(await nodesInView(), /sales, container in Contoso/);

    // Search for the sales container (by its qualified name), jump to it, and expand its neighbours from the details panel.
    await view().locator('#search').fill(scene.providerQn.replace('https://', ''));
    await view().locator('#search').press('Enter');
    await view().locator('#matches', { hasText: /1 of 1/ }).waitFor({ timeout: 10000 });
    const details = view().locator('#details');
    await details.locator('h2', { hasText: 'sales' }).waitFor({ timeout: 10000 });
    assert.match(await details.innerText(), /Classifications\s+Email/);
    await details.getByRole('button', { name: 'Expand neighbours' }).click();
    await status.filter({ hasText: /Expanded sales: [1-9]\d* new node/ }).waitFor({ timeout: 30000 });
    await view().locator('#fit').click();
    await view().locator('#a11yNodes li', { hasText: /landing, container in Fabrikam/ }).first().waitFor({ state: 'attached', timeout: 20000 });
    assert.strictEqual(await view().locator('#a11yCross li').count(), 1);

    // Export SVG: the host asks where to save (VS Code's save dialog), then writes the file.
    const target = path.join(wb.workspace, 'lineage-export.svg');
    await view().locator('#exportSvg').click();
    const dialogInput = wb.page.locator('.quick-input-widget input.input');
    await dialogInput.waitFor({ timeout: 20000 });
    // The dialog opens on the suggested file (the workspace's lineage.svg); then the person types another path.
    await wb.page.waitForFunction(() => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value.endsWith('lineage.svg'), undefined, { timeout: 20000 });
    await dialogInput.fill(target);
    await wb.page.waitForFunction((t) => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value === t, target, { timeout: 5000 });
    await dialogInput.press('Enter');
    await status.filter({ hasText: /Exported SVG to/ }).waitFor({ timeout: 30000 });
    assert.ok(fs.existsSync(target), `${await status.innerText()} (workspace: ${fs.readdirSync(wb.workspace).join(', ')})`);
    const svg = fs.readFileSync(target, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, />Contoso \(provider\)</);
    assert.match(svg, />Fabrikam \(consumer\)</);
    assert.match(svg, /class="edge cross-tenant"/);
    assert.match(svg, /data-id="a:https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/landing"/);

    // The keyboard: arrows move between nodes (a screen reader hears each), Enter opens the details.
    await details.getByRole('button', { name: 'Close details' }).click();
    await view().locator('#graph').focus();
    await wb.page.keyboard.press('ArrowRight');
    await wb.page.keyboard.press('ArrowRight');
    const announcer = view().locator('#announcer');
    await announcer.filter({ hasText: / in (Contoso|Fabrikam)/ }).waitFor({ state: 'attached', timeout: 10000 });
    const heard = (await announcer.textContent()) ?? '';
    await wb.page.keyboard.press('Enter');
    await details.locator('h2', { hasText: heard.split(',')[0] }).waitFor({ timeout: 10000 });

    // Reveal in tree: the share node is shown and selected in the Shares view.
    await view().locator('#search').fill(scene.flow.names.share);
    await view().locator('#search').press('Enter');
    await details.locator('h2', { hasText: scene.flow.names.share }).waitFor({ timeout: 10000 });
    await details.getByRole('button', { name: 'Reveal in tree' }).click();
    await wb.page.locator('.sidebar [role=treeitem][aria-selected=true]', { hasText: scene.flow.names.share }).waitFor({ timeout: 30000 });

    // Reload the window: the panel comes back (serializer) with its depth, and reads the lineage again.
    await wb.page.locator('.tabs-container .tab', { hasText: 'Lineage: raw' }).click();
    await wb.runCommand('Developer: Reload Window');
    await wb.page.locator('.tabs-container .tab', { hasText: 'Lineage: raw' }).waitFor({ timeout: 60000 });
    await view().locator('#status').filter({ hasText: /\d+ nodes, \d+ edges in \d tenant/ }).waitFor({ timeout: 90000 });
    assert.strictEqual(await view().locator('#depth').inputValue(), '1', 'the depth chosen before the reload');
    await view().locator('#a11yNodes li', { hasText: /sales, container in Contoso/ }).first().waitFor({ state: 'attached', timeout: 20000 });
  });
});
