/**
 * Lineage webview entry (browser bundle). This first frame completes the host handshake and
 * renders the graph it receives as an accessible outline grouped by tenant; the canvas graph
 * with layout in a worker replaces the outline's visual role in the lineage work.
 */
import { isHostToWebview, type HostToWebview, type WebviewToHost } from '../shared/protocol';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void; getState(): unknown; setState(state: unknown): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') ?? document.body;

function render(message: HostToWebview): void {
  root.replaceChildren();
  if (message.type === 'error') {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = message.message;
    root.append(p);
    return;
  }
  for (const tenant of message.tenants) {
    const section = document.createElement('section');
    section.setAttribute('aria-label', `Tenant ${tenant.displayName}`);
    const h = document.createElement('h2');
    h.textContent = tenant.displayName;
    const list = document.createElement('ul');
    for (const node of message.nodes.filter((n) => n.tenantId === tenant.tenantId)) {
      const li = document.createElement('li');
      const outgoing = message.edges.filter((e) => e.from === node.id).map((e) => message.nodes.find((n) => n.id === e.to)?.label ?? e.to);
      li.textContent = outgoing.length ? `${node.label} → ${outgoing.join(', ')}` : node.label;
      list.append(li);
    }
    section.append(h, list);
    root.append(section);
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostToWebview(event.data)) {
    vscode.setState(event.data);
    render(event.data);
  }
});

const saved = vscode.getState();
if (isHostToWebview(saved)) render(saved);
vscode.postMessage({ type: 'ready' });
