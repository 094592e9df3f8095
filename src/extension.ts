/**
 * Activation: wire up contributions and nothing else. No Azure SDK is imported here or by
 * anything this file imports at load time; clients load on first use (see src/ui/azureLoader.ts).
 */
import type * as vscode from 'vscode';
import { activateUi, type ExtensionApi } from './ui/activate';

declare global {
  // Set by the esbuild banner as the bundle starts loading (see esbuild.js).
  var __gdsBundleLoadStart: number | undefined;
  // Set by the esbuild footer once the bundle has been evaluated.
  var __gdsBundleLoadEnd: number | undefined;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const activateStart = now();
  const api = activateUi(context);
  const activateEnd = now();
  const bundleLoadStart = globalThis.__gdsBundleLoadStart ?? activateStart;
  api.activation.bundleLoadStartMs = bundleLoadStart;
  api.activation.bundleLoadEndMs = globalThis.__gdsBundleLoadEnd ?? activateStart;
  api.activation.activateStartMs = activateStart;
  api.activation.activateEndMs = activateEnd;
  api.activation.totalMs = activateEnd - bundleLoadStart;
  return api;
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}

function now(): number {
  return globalThis.performance ? performance.now() : Date.now();
}
