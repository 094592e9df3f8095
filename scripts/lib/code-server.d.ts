import type { BrowserContext } from 'playwright-core';

export interface CodeServer {
  url: string;
  port: number;
  dir: string;
  workspace: string;
  logFile: string;
  pid: number;
  node24: string;
  payloadUrl(options?: { extensionDevelopmentPath?: string; extensionTestsPath?: string; extensionEnvironment?: Record<string, string>; folder?: string }): string;
  stop(): Promise<void>;
}

export function ensureRuntime(options?: { quiet?: boolean }): { node24: string; entry: string };
export function startCodeServer(options?: { workspace?: string; extensionLink?: string; testMode?: boolean; port?: number; settings?: Record<string, unknown>; env?: Record<string, string>; dir?: string }): Promise<CodeServer>;
export function launchBrowser(options?: { headless?: boolean }): Promise<{ context: BrowserContext; close(): Promise<void> }>;
export function killTree(pid: number, signal?: NodeJS.Signals): void;
export function freePort(): Promise<number>;
export const REPO: string;
