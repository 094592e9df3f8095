#!/usr/bin/env node
// Static manifest check: every command the source registers is declared in package.json, every
// declared command is registered somewhere in src/, and every command used in menus, welcome
// views and the walkthrough exists. (The extension-host tier checks the same thing at runtime.)
'use strict';
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const declared = new Set(manifest.contributes.commands.map((c) => c.command));
const viewIds = Object.values(manifest.contributes.views).flat().map((v) => v.id);

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const registered = new Set();
for (const file of sources(path.join(REPO, 'src'))) {
  for (const m of fs.readFileSync(file, 'utf8').matchAll(/\.register\(\s*'(governedDataShare\.[\w.]+)'/g)) registered.add(m[1]);
}
// The governance commands are registered from one id list (src/ui/governanceCommands.ts).
const governance = /GOVERNANCE_COMMAND_IDS[^=]*=\s*\[([^\]]*)\]/.exec(fs.readFileSync(path.join(REPO, 'src/ui/governanceCommands.ts'), 'utf8'));
for (const m of (governance?.[1] ?? '').matchAll(/'(\w+)'/g)) registered.add(`governedDataShare.${m[1]}`);

const problems = [];
for (const c of declared) if (!registered.has(c)) problems.push(`declared but never registered: ${c}`);
for (const c of registered) if (!declared.has(c)) problems.push(`registered but not declared in package.json: ${c}`);
const isKnown = (c) => declared.has(c) || viewIds.some((v) => c.startsWith(`${v}.`)) || !c.startsWith('governedDataShare.');
for (const group of Object.values(manifest.contributes.menus ?? {})) for (const item of group) if (!isKnown(item.command)) problems.push(`menu uses unknown command ${item.command}`);
const text = JSON.stringify([manifest.contributes.viewsWelcome, manifest.contributes.walkthroughs]);
for (const m of text.matchAll(/command:([\w.]+)/g)) if (!isKnown(m[1])) problems.push(`welcome/walkthrough links unknown command ${m[1]}`);

if (problems.length) {
  console.error(`check-commands: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-commands: ${declared.size} commands declared and registered; menus and links consistent.`);
