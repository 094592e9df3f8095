/**
 * Export of the whole laid-out graph: SVG (text, with the theme's colours resolved) and PNG
 * (the Canvas renderer drawn into an offscreen canvas at a scale that fits a size cap).
 */
import { classificationLabel, drawGraph, kindName, laneColor, statusColor, type Placed, type Theme } from './renderer';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function exportSvg(g: Placed, theme: Theme): string {
  const W = g.nodeWidth;
  const H = g.nodeHeight;
  const pad = 80;
  const width = Math.ceil(g.width + 2 * pad);
  const height = Math.ceil(g.height + 2 * pad);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${-pad} ${-pad} ${width} ${height}" font-family="${esc(theme.font)}" font-size="13">`);
  out.push(`<title>Cross-tenant lineage</title>`);
  out.push(`<rect x="${-pad}" y="${-pad}" width="${width}" height="${height}" fill="${esc(theme.background)}"/>`);
  for (const box of g.lanes) {
    const c = esc(laneColor(theme, box.lane));
    const tenant = g.tenants[box.lane];
    out.push(`<g class="lane" data-tenant="${esc(tenant?.tenantId ?? '')}"><rect x="-60" y="${box.y}" width="${g.width + 120}" height="${box.height}" fill="${c}" fill-opacity="0.07" stroke="${c}" stroke-width="2"/>`);
    out.push(`<text x="-52" y="${box.y + 18}" fill="${c}" font-weight="bold">${esc(`${tenant?.displayName ?? 'Tenant'}${tenant?.role && tenant.role !== 'other' ? ` (${tenant.role})` : ''}`)}</text></g>`);
  }
  for (const { edge, s, t } of g.edges) {
    const sx = g.x[s] + W;
    const sy = g.y[s] + H / 2;
    const dx = g.x[t];
    const dy = g.y[t] + H / 2;
    const c = Math.max(30, Math.abs(dx - sx) / 2);
    const d = dx > sx ? `M${sx},${sy} C${sx + c},${sy} ${dx - c},${dy} ${dx},${dy}` : `M${sx},${sy} C${sx + 60},${sy + H * 1.2} ${dx - 60},${dy + H * 1.2} ${dx},${dy}`;
    const stroke = edge.crossTenant ? statusColor(theme, edge.lastSnapshot?.status) : theme.muted;
    out.push(`<path class="edge${edge.crossTenant ? ' cross-tenant' : ''}" d="${d}" fill="none" stroke="${esc(stroke)}" stroke-width="${edge.crossTenant ? 3 : 1.2}"${edge.inferred ? ' stroke-dasharray="6 4"' : ''}>`);
    if (edge.crossTenant) {
      const snap = edge.lastSnapshot;
      out.push(`<title>${esc(`Share ${edge.share?.name ?? '?'}, subscription ${edge.subscription?.name ?? '?'}, last snapshot ${snap?.status ?? 'none'} ${snap?.mode ?? ''} ${snap?.time ?? ''}`.trim())}</title>`);
    }
    out.push('</path>');
    if (edge.crossTenant) {
      const label = [edge.lastSnapshot?.status ?? 'No snapshot yet', edge.lastSnapshot?.mode, edge.lastSnapshot?.time].filter(Boolean).join(' · ');
      out.push(`<text class="snapshot-status" x="${(sx + dx) / 2}" y="${(sy + dy) / 2 - 6}" text-anchor="middle" font-size="11" fill="${esc(theme.foreground)}">${esc(label)}</text>`);
    }
  }
  g.nodes.forEach((node, i) => {
    const x = g.x[i];
    const y = g.y[i];
    const c = esc(laneColor(theme, g.lane[i]));
    const r = node.kind === 'process' || node.kind === 'snapshot' ? H / 2 : 6;
    const classes = node.classifications.map(classificationLabel).join(', ');
    out.push(`<g class="node ${node.kind}" data-id="${esc(node.id)}" data-tenant="${esc(node.tenantId)}"><title>${esc(`${node.label} (${kindName(node.kind)})${node.qualifiedName ? `\n${node.qualifiedName}` : ''}${classes ? `\nClassifications: ${classes}` : ''}${node.inferred ? '\nInferred' : ''}`)}</title>`);
    out.push(`<rect x="${x}" y="${y}" width="${W}" height="${H}" rx="${r}" fill="${esc(theme.nodeBackground)}" stroke="${c}" stroke-width="1.5"${node.inferred ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${x + 14}" y="${y + H / 2 + 4}" fill="${esc(theme.foreground)}">${esc(node.label.length > 24 ? `${node.label.slice(0, 23)}…` : node.label)}</text>`);
    if (classes) out.push(`<rect x="${x + W - 30}" y="${y + 6}" width="22" height="14" rx="7" fill="${esc(theme.badge)}"/><text x="${x + W - 19}" y="${y + 17}" font-size="10" text-anchor="middle" fill="${esc(theme.badgeText)}">${node.classifications.length}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}

/** PNG (base64, no data: prefix) of the whole graph, scaled to fit `maxSide` pixels. */
export function exportPng(g: Placed, theme: Theme, maxSide = 8000): string {
  const pad = 80;
  const w = g.width + 2 * pad;
  const h = g.height + 2 * pad;
  const scale = Math.min(1, maxSide / Math.max(w, h));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.ceil(w * scale));
  canvas.height = Math.max(1, Math.ceil(h * scale));
  const ctx = canvas.getContext('2d')!;
  drawGraph(ctx, g, { scale, tx: pad * scale, ty: pad * scale }, canvas.width, canvas.height, theme, {}, { stickyLaneTitles: false });
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
