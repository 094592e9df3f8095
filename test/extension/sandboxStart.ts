/**
 * For extension-host suites: activates the extension, runs "Start Local Sandbox" (both seeded
 * tenants signed in) and returns the sandbox description with its two seeded tenants.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { SandboxDescription, SandboxTenant } from '../../src/auth/sandbox';
import type { ExtensionApi } from '../../src/ui/activate';
import { activateExtension } from './activation.test';

export interface StartedSandbox {
  api: ExtensionApi;
  /** sandbox.json of the running sandbox. */
  file: string;
  description: SandboxDescription;
  contoso: SandboxTenant;
  fabrikam: SandboxTenant;
}

export async function startSandboxFromEditor(): Promise<StartedSandbox> {
  const api = await activateExtension();
  const tenants = await vscode.commands.executeCommand<string[]>('governedDataShare.startSandbox');
  assert.ok(Array.isArray(tenants) && tenants.length === 2, `sandbox started: ${JSON.stringify(api.activities()[0])}`);
  const file = api.testing!.sandboxDescriptionPath()!;
  const description = JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxDescription;
  const contoso = description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
  const fabrikam = description.tenants.find((t) => t.displayName.startsWith('Fabrikam'))!;
  return { api, file, description, contoso, fabrikam };
}
