/**
 * Drives a real VS Code (code-server) in Debian chromium for the UI tier: starts the server with
 * this repository as the development extension, opens a workspace, and offers the few
 * interactions tests need (activity bar, views, command palette, screenshots).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page, FrameLocator } from 'playwright-core';
import type { CodeServer } from '../../scripts/lib/code-server';

// Plain-JS helpers shared with the scripts; resolved from the repository root at run time
// (this file runs from out/test/e2e).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { launchBrowser, startCodeServer, REPO } = require(path.resolve(__dirname, '../../../scripts/lib/code-server')) as typeof import('../../scripts/lib/code-server');

export const SCREENSHOTS = path.join(REPO, 'test-results', 'screenshots');

export class Workbench {
  private constructor(readonly page: Page, readonly server: CodeServer, private readonly closeBrowser: () => Promise<void>, readonly workspace: string) {}

  static async open(options: { prepareWorkspace?: (dir: string) => void } = {}): Promise<Workbench> {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-ui-ws-'));
    options.prepareWorkspace?.(workspace);
    const server = await startCodeServer({ testMode: true, workspace });
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(server.payloadUrl({ extensionDevelopmentPath: REPO }));
      await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
      return new Workbench(page, server, () => browser.close(), workspace);
    } catch (e) {
      await browser.close();
      await server.stop();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.closeBrowser();
    await this.server.stop();
  }

  /** Clicks our activity-bar entry (contributions appear a few seconds after the workbench). */
  async openContainer(): Promise<void> {
    const tab = this.page.locator('.activitybar a.action-label[aria-label^="Governed Data Share"]');
    await tab.waitFor({ timeout: 60000 });
    const selected = await this.page.locator('.activitybar li.action-item.checked a.action-label[aria-label^="Governed Data Share"]').count();
    if (!selected) await tab.click();
    await this.page.locator('.sidebar .composite.title h2', { hasText: /Governed Data Share/i }).waitFor({ timeout: 30000 });
  }

  /** The pane of a view in the side bar, located by its title. */
  view(title: string) {
    return this.page.locator('.sidebar .pane').filter({ has: this.page.locator('.pane-header', { hasText: new RegExp(`^${title}`, 'i') }) });
  }

  async expandView(title: string): Promise<void> {
    const header = this.view(title).locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  }

  /** Selects a tree row and expands it with the keyboard, as a person would. */
  async expand(row: ReturnType<Page['locator']>, timeout = 30000): Promise<void> {
    await row.waitFor({ timeout });
    await row.click();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await this.page.keyboard.press('ArrowRight');
  }

  /** Collapses a tree row (to keep what a test looks at within the visible, virtualized rows). */
  async collapse(row: ReturnType<Page['locator']>, timeout = 30000): Promise<void> {
    await row.waitFor({ timeout });
    await row.click();
    if ((await row.getAttribute('aria-expanded')) === 'true') await this.page.keyboard.press('ArrowLeft');
  }

  async runCommand(label: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(`>${label}`);
    const option = this.page.locator('.quick-input-list [role=option]', { hasText: label }).first();
    await option.waitFor({ timeout: 10000 });
    await this.page.keyboard.press('Enter');
  }

  /** The walkthrough/editor webviews are nested iframes. */
  editorFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.waitForTimeout(300);
    const file = path.join(SCREENSHOTS, `${name}.png`);
    await this.page.screenshot({ path: file });
    assert.ok(fs.statSync(file).size > 0);
    return file;
  }
}
