/**
 * Data quality before sharing: rules files (JSON/YAML), the streaming engine (CSV and Parquet
 * straight from the blob), the Markdown report, the gate's part and Purview's record of it.
 * Plain Node (no vscode): the editor (src/ui/governance/quality*.ts), the runner and the gate use it.
 */
export { parseRules, formatRuleProblems, RULE_KINDS, COLUMN_TYPES, parseDuration, ruleIdOf, type Rule, type RuleKind, type RuleSet, type RuleProblem, type Severity, type Tolerance, type ColumnType } from './rules';
export { checkQuality, checkSources, inferColumns, inferFromSources, worst, type CheckQualityInput, type InferredColumn, type Outcome, type QualityFile, type QualityReport, type RuleResult, type SampleRow } from './engine';
export { scaffoldRules } from './infer';
export { formatQualityReport, summarizeQuality } from './report';
export { readQualityFromEntity, recordQualityInPurview, QUALITY_BUSINESS_METADATA, QUALITY_LABELS, type QualityOnEntity } from './purview';
export { blobSource, memorySource, listTarget, type QualityTarget, type SourceBlob } from './source';
export { qualityGate, snapshotQualityGate } from './gate';
export { rulesFileFor, rulesFor, type QualityPlan } from './planRules';
export { sensitiveKind } from './values';
