/**
 * The audit trail: append-only JSON Lines, one record per action (who, what, when, on which
 * resources, outcome, governance decisions), exportable to CSV and Markdown. Every string is
 * passed through redaction before it is written, and tokens/keys/SAS/secrets never enter a record.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { redactSecrets } from '../common/redact';

export interface AuditActor {
  tenantId: string;
  objectId: string;
  name: string;
}

export type AuditOutcome = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'planned' | 'allowed' | 'blocked';

export interface AuditRecord {
  time: string;
  /** Identifies one run of a workflow (all records of a recipe run share it). */
  runId: string;
  actor?: AuditActor;
  /** e.g. `share.create`, `governance.decision`, `subscription.revoke`. */
  action: string;
  tenantId?: string;
  resourceIds: string[];
  outcome: AuditOutcome;
  message?: string;
  /** Governance gate decisions: classifications seen, the policy's verdict and the justification. */
  governance?: { decision: 'allow' | 'block' | 'allow-with-justification'; classifications: string[]; justification?: string; reasons: string[] };
  details?: Record<string, string | number | boolean>;
}

export interface AuditSink {
  append(record: Omit<AuditRecord, 'time'> & { time?: string }): void;
}

/** Appends to a JSON Lines file (created with its folder on first write). */
export class AuditTrail implements AuditSink {
  readonly records: AuditRecord[] = [];

  constructor(readonly file?: string) {}

  append(record: Omit<AuditRecord, 'time'> & { time?: string }): void {
    const full = sanitize({ ...record, time: record.time ?? new Date().toISOString() } as AuditRecord);
    this.records.push(full);
    if (this.file) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.file, JSON.stringify(full) + '\n', { encoding: 'utf8', mode: 0o600 });
    }
  }

  /** Reads a trail back; a torn last line (a kill mid-write) is ignored. */
  static read(file: string): AuditRecord[] {
    if (!fs.existsSync(file)) return [];
    const out: AuditRecord[] = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as AuditRecord);
      } catch {
        /* a torn line from a killed writer */
      }
    }
    return out;
  }
}

/** Redacts every string, and keeps of the actor only who it is (a Principal also carries kind and email). */
function sanitize(record: AuditRecord): AuditRecord {
  const a = record.actor;
  const trimmed = a ? { ...record, actor: { tenantId: a.tenantId, objectId: a.objectId, name: a.name } } : record;
  return JSON.parse(redactSecrets(JSON.stringify(trimmed))) as AuditRecord;
}

const COLUMNS = ['time', 'runId', 'actorTenantId', 'actorObjectId', 'actorName', 'action', 'tenantId', 'outcome', 'resourceIds', 'decision', 'classifications', 'justification', 'message'] as const;

function row(r: AuditRecord): Record<(typeof COLUMNS)[number], string> {
  return {
    time: r.time,
    runId: r.runId,
    actorTenantId: r.actor?.tenantId ?? '',
    actorObjectId: r.actor?.objectId ?? '',
    actorName: r.actor?.name ?? '',
    action: r.action,
    tenantId: r.tenantId ?? '',
    outcome: r.outcome,
    resourceIds: r.resourceIds.join(' '),
    decision: r.governance?.decision ?? '',
    classifications: r.governance?.classifications.join(' ') ?? '',
    justification: r.governance?.justification ?? '',
    message: r.message ?? '',
  };
}

/** RFC 4180 CSV with a header row; cells that start with = + - @ are prefixed with ' (no formula injection). */
export function auditToCsv(records: readonly AuditRecord[]): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [COLUMNS.join(','), ...records.map((r) => COLUMNS.map((c) => cell(row(r)[c])).join(','))].join('\r\n') + '\r\n';
}

export function auditToMarkdown(records: readonly AuditRecord[]): string {
  const esc = (v: string) => v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const cols = ['time', 'actorName', 'action', 'tenantId', 'outcome', 'resourceIds', 'decision', 'message'] as const;
  const lines = [`# Audit trail`, '', `${records.length} record(s).`, '', `| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`];
  for (const r of records) lines.push(`| ${cols.map((c) => esc(row(r)[c])).join(' | ')} |`);
  return lines.join('\n') + '\n';
}
