import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from './activation.test';

interface Manifest { contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> } }

describe('Commands', () => {
  it('registers every command declared in package.json, and declares every command it registers', async () => {
    const api = await activateExtension();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    const viewIds = Object.values(manifest.contributes.views).flat().map((v) => v.id);

    const all = await vscode.commands.getCommands(true);
    const missing = declared.filter((c) => !all.includes(c));
    assert.deepStrictEqual(missing, [], 'declared commands missing from the command registry');

    // Commands VS Code itself derives from our views (focus, reset location...) are not ours.
    const ours = all.filter((c) => c.startsWith('governedDataShare.') && !viewIds.some((v) => c.startsWith(`${v}.`)));
    const undeclared = [...new Set([...ours, ...api.registeredCommands()])].filter((c) => !declared.includes(c));
    assert.deepStrictEqual(undeclared, [], 'registered commands not declared in package.json');
    assert.deepStrictEqual([...api.registeredCommands()].sort(), declared, 'the extension registered exactly the declared commands');
  });
});
