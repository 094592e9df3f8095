/**
 * A data-quality report as Markdown: the verdict, the files read, one row per rule, then each
 * failure with its sample (already masked by the engine). Used by the runner (`--check-quality`)
 * and the editor.
 */
import type { QualityReport, RuleResult } from './engine';

const ICON: Record<RuleResult['outcome'], string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', error: '⛔ error' };

function esc(v: unknown): string {
  return String(v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function formatQualityReport(report: QualityReport, title = 'Data quality'): string {
  const lines: string[] = [];
  const count = (o: RuleResult['outcome']) => report.results.filter((r) => r.outcome === o).length;
  lines.push(`# ${title}: ${ICON[report.outcome]}`, '');
  lines.push(`${report.results.length} check(s): ${count('pass')} passed, ${count('warn')} warned, ${count('fail')} failed, ${count('error')} could not be checked. Started ${report.startedAt}, took ${(report.durationMs / 1000).toFixed(1)} s.`, '');
  lines.push('## Files', '', '| file | format | rows | bytes | problem |', '| --- | --- | ---: | ---: | --- |');
  for (const f of report.files) lines.push(`| ${esc(f.name)} | ${f.format} | ${f.rows} | ${f.bytes} | ${esc(f.error ?? '')} |`);
  if (report.skipped?.length) lines.push('', `Left out (neither CSV nor Parquet): ${report.skipped.map(esc).join(', ')}.`);
  lines.push('', '## Rules', '', '| rule | kind | column | severity | outcome | observed | elements | failed | failed % | ms |', '| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of report.results) {
    lines.push(`| ${esc(r.ruleId)} | ${r.kind} | ${esc(r.column ?? '')} | ${r.severity} | ${ICON[r.outcome]} | ${esc(r.observedValue ?? '')} | ${r.elementCount} | ${r.failedCount} | ${r.failedPercent} | ${r.durationMs} |`);
  }
  const bad = report.results.filter((r) => r.outcome !== 'pass');
  if (bad.length) {
    lines.push('', '## Findings');
    for (const r of bad) {
      lines.push('', `### ${ICON[r.outcome]}: ${esc(r.ruleId)}`, '');
      if (r.message) lines.push(esc(r.message), '');
      if (r.sample.length) {
        lines.push(`Sample (${r.sample.length} of ${r.failedCount} failing):`, '');
        for (const s of r.sample) {
          const vals = s.values ? Object.entries(s.values).map(([k, v]) => `${k}=${v === null ? '∅' : JSON.stringify(v)}`).join(', ') : '';
          lines.push(`- ${esc(s.file)}${s.row !== undefined ? ` row ${s.row}` : ''}${s.note ? `: ${esc(s.note)}` : ''}${vals ? ` — ${esc(vals)}` : ''}`);
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** One line: outcome and counts (for step summaries and audit messages). */
export function summarizeQuality(report: QualityReport): string {
  const failed = report.results.filter((r) => r.outcome === 'fail').map((r) => r.ruleId);
  const warned = report.results.filter((r) => r.outcome === 'warn').map((r) => r.ruleId);
  const errors = report.results.filter((r) => r.outcome === 'error').map((r) => `${r.ruleId}${r.message ? ` (${r.message})` : ''}`);
  const rows = report.files.reduce((n, f) => n + f.rows, 0);
  const parts = [`${report.outcome}: ${report.results.length} check(s) over ${report.files.length} file(s), ${rows} row(s)`];
  if (failed.length) parts.push(`failed ${failed.join(', ')}`);
  if (errors.length) parts.push(`not checked ${errors.join(', ')}`);
  if (warned.length) parts.push(`warned ${warned.join(', ')}`);
  return parts.join('; ');
}
