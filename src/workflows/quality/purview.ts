/**
 * Data-quality results on the asset in Purview, through the stable Data Map API (2023-09-01),
 * since Purview's own data-quality API is a preview only:
 * - a label `DataQuality_Pass|DataQuality_Warn|DataQuality_Fail` (Entity_AddLabelsByUniqueAttribute;
 *   the other two are removed first, other labels are left alone);
 * - business metadata `GovernedDataShare_DataQuality` with outcome, checkedAt, passed, warned,
 *   failed, errors, rules and summary (Entity_AddOrUpdateBusinessMetadataAttributes), its
 *   definition registered once (Type_BulkCreate with a businessMetadataDef applicable to DataSet),
 *   as Purview requires before an entity can carry it.
 * The lineage panel and the dashboard read them back with `readQualityFromEntity`.
 */
import type { AtlasEntity, PurviewDataPlaneClient } from '../../azure';
import type { Outcome, QualityReport } from './engine';

export const QUALITY_BUSINESS_METADATA = 'GovernedDataShare_DataQuality';
export const QUALITY_LABELS = { pass: 'DataQuality_Pass', warn: 'DataQuality_Warn', fail: 'DataQuality_Fail' } as const;

export interface QualityOnEntity {
  outcome: Outcome;
  /** ISO time of the check ('' when only the label is there). */
  checkedAt: string;
  passed: number;
  failed: number;
  warned?: number;
  errors?: number;
  rules?: string;
  summary?: string;
}

const ATTRS: Array<{ name: string; typeName: string; maxLength?: number }> = [
  { name: 'outcome', typeName: 'string', maxLength: 10 },
  { name: 'checkedAt', typeName: 'string', maxLength: 40 },
  { name: 'passed', typeName: 'int' },
  { name: 'warned', typeName: 'int' },
  { name: 'failed', typeName: 'int' },
  { name: 'errors', typeName: 'int' },
  { name: 'rules', typeName: 'string', maxLength: 500 },
  { name: 'summary', typeName: 'string', maxLength: 1000 },
];

export function qualityBusinessMetadataDef() {
  return {
    category: 'BUSINESS_METADATA',
    name: QUALITY_BUSINESS_METADATA,
    description: 'Outcome of the last data-quality check Governed Data Share ran before sharing this asset.',
    attributeDefs: ATTRS.map((a) => ({
      name: a.name,
      typeName: a.typeName,
      isOptional: true,
      cardinality: 'SINGLE',
      isUnique: false,
      isIndexable: true,
      options: { applicableEntityTypes: JSON.stringify(['DataSet']), ...(a.maxLength ? { maxStrLength: String(a.maxLength) } : {}) },
    })),
  };
}

function statusOf(e: unknown): number | undefined {
  const x = e as { statusCode?: number; status?: number };
  return x?.statusCode ?? x?.status;
}

async function orUndefined<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}

/** What the business metadata says about a report. */
export function qualityAttributes(report: QualityReport, rules: string): Record<string, string | number> {
  const n = (o: Outcome) => report.results.filter((r) => r.outcome === o).length;
  const failing = report.results.filter((r) => r.outcome === 'fail' || r.outcome === 'error').map((r) => r.ruleId);
  return {
    outcome: report.outcome,
    checkedAt: report.startedAt,
    passed: n('pass'),
    warned: n('warn'),
    failed: n('fail'),
    errors: n('error'),
    rules: rules.slice(0, 500),
    summary: (failing.length ? `failing: ${failing.join(', ')}` : `${n('pass')} passed, ${n('warn')} warned`).slice(0, 1000),
  };
}

/** The label a report earns (an outcome `error` is recorded as a failure: the data could not be shown to be good). */
export function qualityLabel(outcome: Outcome): string {
  return outcome === 'pass' ? QUALITY_LABELS.pass : outcome === 'warn' ? QUALITY_LABELS.warn : QUALITY_LABELS.fail;
}

/**
 * Records a report on the asset `typeName`/`qualifiedName` (created as a bare asset when the
 * catalog has none yet, as the lineage does). Returns the asset's GUID.
 */
export async function recordQualityInPurview(pv: PurviewDataPlaneClient, asset: { typeName: string; qualifiedName: string; name: string }, report: QualityReport, rules: string, signal?: AbortSignal): Promise<string> {
  const o = { abortSignal: signal };
  const def = await orUndefined(() => pv.dataMap.typeDefinitions.getDefByName('businessmetadatadef', QUALITY_BUSINESS_METADATA, o));
  if (!def) {
    try {
      await pv.dataMap.typeDefinitions.create({ businessMetadataDefs: [qualityBusinessMetadataDef()] } as never, o);
    } catch (e) {
      if (statusOf(e) !== 409) throw e; // registered meanwhile by another run
    }
  }
  let entity = await orUndefined(() => pv.dataMap.entities.getByUniqueAttribute(asset.typeName, asset.qualifiedName, { ...o, minExtInfo: true, ignoreRelationships: true } as never));
  if (!entity?.entity?.guid || entity.entity.status === 'DELETED') {
    await pv.dataMap.entities.createOrUpdate({ entity: { typeName: asset.typeName, attributes: { qualifiedName: asset.qualifiedName, name: asset.name } } }, o);
    entity = await pv.dataMap.entities.getByUniqueAttribute(asset.typeName, asset.qualifiedName, { ...o, minExtInfo: true, ignoreRelationships: true } as never);
  }
  const guid = entity.entity?.guid as string;
  const label = qualityLabel(report.outcome);
  const stale = Object.values(QUALITY_LABELS).filter((l) => l !== label && entity?.entity?.labels?.includes(l));
  if (stale.length) await pv.dataMap.labels.remove(guid, stale, o);
  if (!entity.entity?.labels?.includes(label)) await pv.dataMap.labels.add(guid, [label], o);
  await pv.dataMap.businessMetadata.addOrUpdateAttributes(guid, QUALITY_BUSINESS_METADATA, qualityAttributes(report, rules), o);
  return guid;
}

/**
 * The last data-quality outcome recorded on a Purview entity (from its business metadata, else
 * from its label alone); undefined when it was never checked.
 */
export function readQualityFromEntity(entity: Pick<AtlasEntity, 'labels' | 'businessAttributes'> | undefined): QualityOnEntity | undefined {
  if (!entity) return undefined;
  const bm = (entity.businessAttributes as Record<string, Record<string, unknown>> | undefined)?.[QUALITY_BUSINESS_METADATA];
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : 0);
  if (bm && ['pass', 'warn', 'fail', 'error'].includes(String(bm.outcome))) {
    return {
      outcome: bm.outcome as Outcome,
      checkedAt: typeof bm.checkedAt === 'string' ? bm.checkedAt : '',
      passed: num(bm.passed),
      failed: num(bm.failed),
      warned: num(bm.warned),
      errors: num(bm.errors),
      ...(typeof bm.rules === 'string' ? { rules: bm.rules } : {}),
      ...(typeof bm.summary === 'string' ? { summary: bm.summary } : {}),
    };
  }
  const labels = entity.labels ?? [];
  const outcome: Outcome | undefined = labels.includes(QUALITY_LABELS.fail) ? 'fail' : labels.includes(QUALITY_LABELS.warn) ? 'warn' : labels.includes(QUALITY_LABELS.pass) ? 'pass' : undefined;
  return outcome ? { outcome, checkedAt: '', passed: 0, failed: 0 } : undefined;
}
