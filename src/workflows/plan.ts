/**
 * The recipe plan file: everything the cross-tenant recipe needs, in one JSON document checked
 * against schemas/recipe-plan.schema.json (the extension contributes it through jsonValidation,
 * so plan files get completion and errors in the editor). `parsePlan` checks the same rules
 * (and Azure's naming rules) and reports every problem at once, before anything is called.
 */
import { checkApprovalPlan, type ApprovalPlan } from './approvalPlan';
import type { GovernancePolicy } from './governance';
import { checkNotificationsPlan, type NotificationsPlan } from './notificationsPlan';
import { checkQualityPlan, type QualityPlan } from './quality/planRules';
import { futureDate, Problems, rules } from './validate';

export interface SidePlan {
  tenantId: string;
  subscriptionId: string;
  /** Sandbox: which seeded principal acts (default servicePrincipal). */
  identity?: 'servicePrincipal' | 'user';
  /** Azure: which @azure/identity credential signs in (default azureCli). */
  credential?: 'azureCli' | 'environment';
  resourceGroup: string;
  storageAccount: string;
  container: string;
  dataShareAccount: string;
  /** Omit to run without Purview in this tenant (no scan, no lineage there). */
  purviewAccount?: string;
  /** Customer-managed key for this tenant's storage account (src/workflows/steps/cmk.ts). */
  cmk?: { keyVault: string; keyName: string; identity: string; keySize?: 2048 | 3072 | 4096 };
}

export interface DataSetPlan {
  name: string;
  kind: 'Container' | 'Folder' | 'File';
  /** Folder prefix or file path inside the provider's container (Folder and File kinds). */
  path?: string;
}

export interface RecipePlan {
  version: 1;
  target: 'sandbox' | 'azure';
  location: string;
  provider: SidePlan;
  consumer: SidePlan;
  share: {
    name: string;
    description?: string;
    terms?: string;
    /** Upload the built-in sample data (sales CSVs, a customer list with emails). */
    sampleData?: boolean;
    /** Inline files to upload: blob path -> text. */
    files?: Record<string, string>;
    datasets: DataSetPlan[];
    schedule?: { recurrence: 'Day' | 'Hour'; time: string };
  };
  invitation: { name: string; targetEmail?: string; targetTenantId?: string; targetObjectId?: string; expiresOn?: string };
  subscription: { name: string; mode?: 'FullSync' | 'Incremental'; trigger?: boolean };
  governance?: { policy?: GovernancePolicy; justification?: string; /** Data-quality rules files the gate runs (paths relative to the plan). */ quality?: QualityPlan; /** Approval by a second person (src/workflows/approvals.ts). */ approval?: ApprovalPlan };
  scan?: { provider?: boolean; consumer?: boolean };
  readiness?: { guestInvite?: boolean; partnerPolicy?: boolean };
  /** Event Grid notifications (src/workflows/events.ts). */
  notifications?: NotificationsPlan;
}

const SIDE_KEYS = ['tenantId', 'subscriptionId', 'identity', 'credential', 'resourceGroup', 'storageAccount', 'container', 'dataShareAccount', 'purviewAccount', 'cmk'];

function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(p: Problems, where: string, v: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k) && k !== '$schema') p.add(`${where}.${k}`, 'is not a known property.');
}

function checkSide(p: Problems, where: string, v: unknown, target: string): void {
  if (!obj(v)) return p.add(where, 'is required (an object).');
  unknownKeys(p, where, v, SIDE_KEYS);
  p.check(`${where}.tenantId`, v.tenantId, rules.guid);
  p.check(`${where}.subscriptionId`, v.subscriptionId, rules.guid);
  p.check(`${where}.resourceGroup`, v.resourceGroup, rules.resourceGroup);
  p.check(`${where}.storageAccount`, v.storageAccount, rules.storageAccount);
  p.check(`${where}.container`, v.container, rules.container);
  p.check(`${where}.dataShareAccount`, v.dataShareAccount, rules.dataShareAccount);
  if (v.purviewAccount !== undefined) p.check(`${where}.purviewAccount`, v.purviewAccount, rules.purviewAccount);
  if (v.cmk !== undefined) {
    if (!obj(v.cmk)) p.add(`${where}.cmk`, 'must be an object ({keyVault, keyName, identity, keySize?}).');
    else {
      unknownKeys(p, `${where}.cmk`, v.cmk, ['keyVault', 'keyName', 'identity', 'keySize']);
      p.check(`${where}.cmk.keyVault`, v.cmk.keyVault, rules.keyVault);
      p.check(`${where}.cmk.keyName`, v.cmk.keyName, rules.keyVaultKey);
      p.check(`${where}.cmk.identity`, v.cmk.identity, rules.userAssignedIdentity);
      if (v.cmk.keySize !== undefined && ![2048, 3072, 4096].includes(v.cmk.keySize as number)) p.add(`${where}.cmk.keySize`, 'must be 2048, 3072 or 4096 (RSA key sizes Azure Storage accepts).');
    }
  }
  if (v.identity !== undefined && v.identity !== 'servicePrincipal' && v.identity !== 'user') p.add(`${where}.identity`, "must be 'servicePrincipal' or 'user'.");
  if (v.identity !== undefined && target !== 'sandbox') p.add(`${where}.identity`, "applies to the sandbox only; against Azure use 'credential'.");
  if (v.credential !== undefined && v.credential !== 'azureCli' && v.credential !== 'environment') p.add(`${where}.credential`, "must be 'azureCli' or 'environment'.");
}

/**
 * Parses and checks a plan; throws one UserFacingError listing every problem. With `baseDir` (the
 * plan file's folder) the data-quality rules files it names are read and checked too.
 */
export function parsePlan(text: string, source = 'The plan', now = Date.now(), baseDir?: string): RecipePlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const p = new Problems();
    p.add('file', `is not valid JSON (${(e as Error).message}).`);
    p.throwIfAny(source);
  }
  return checkPlan(json, source, now, baseDir);
}

export function checkPlan(json: unknown, source = 'The plan', now = Date.now(), baseDir?: string): RecipePlan {
  const p = new Problems();
  if (!obj(json)) {
    p.add('plan', 'must be a JSON object.');
    p.throwIfAny(source);
  }
  const v = json as Record<string, unknown>;
  unknownKeys(p, 'plan', v, ['version', 'target', 'location', 'provider', 'consumer', 'share', 'invitation', 'subscription', 'governance', 'scan', 'readiness', 'notifications']);
  if (v.version !== 1) p.add('version', 'must be 1.');
  if (v.target !== 'sandbox' && v.target !== 'azure') p.add('target', "must be 'sandbox' or 'azure'.");
  p.check('location', v.location, rules.location);
  checkSide(p, 'provider', v.provider, String(v.target));
  checkSide(p, 'consumer', v.consumer, String(v.target));
  if (obj(v.provider) && obj(v.consumer)) {
    if (v.provider.tenantId === v.consumer.tenantId && typeof v.provider.tenantId === 'string') p.add('consumer.tenantId', 'must differ from provider.tenantId (the recipe shares across tenants).');
    if (v.provider.storageAccount === v.consumer.storageAccount && typeof v.provider.storageAccount === 'string') p.add('consumer.storageAccount', 'must differ from provider.storageAccount (storage account names are global).');
    const pk = obj(v.provider.cmk) ? v.provider.cmk.keyVault : undefined;
    const ck = obj(v.consumer.cmk) ? v.consumer.cmk.keyVault : undefined;
    if (typeof pk === 'string' && typeof ck === 'string' && pk.toLowerCase() === ck.toLowerCase()) p.add('consumer.cmk.keyVault', 'must differ from provider.cmk.keyVault (vault names are global, and each tenant keeps its own key).');
  }
  const share = v.share;
  if (!obj(share)) p.add('share', 'is required (an object).');
  else {
    unknownKeys(p, 'share', share, ['name', 'description', 'terms', 'sampleData', 'files', 'datasets', 'schedule']);
    p.check('share.name', share.name, rules.dataShareName);
    for (const k of ['description', 'terms'] as const) if (share[k] !== undefined && typeof share[k] !== 'string') p.add(`share.${k}`, 'must be a string.');
    if (share.sampleData !== undefined && typeof share.sampleData !== 'boolean') p.add('share.sampleData', 'must be true or false.');
    if (share.files !== undefined) {
      if (!obj(share.files)) p.add('share.files', 'must map blob paths to text.');
      else for (const [k, c] of Object.entries(share.files)) {
        p.check(`share.files["${k}"]`, k, rules.blobPath);
        if (typeof c !== 'string') p.add(`share.files["${k}"]`, 'must be text.');
      }
    }
    if (!Array.isArray(share.datasets) || share.datasets.length === 0) p.add('share.datasets', 'needs at least one dataset.');
    else {
      const names = new Set<string>();
      share.datasets.forEach((d: unknown, i: number) => {
        const w = `share.datasets[${i}]`;
        if (!obj(d)) return p.add(w, 'must be an object.');
        unknownKeys(p, w, d, ['name', 'kind', 'path']);
        p.check(`${w}.name`, d.name, rules.dataShareName);
        if (typeof d.name === 'string' && names.has(d.name)) p.add(`${w}.name`, `'${d.name}' is used twice.`);
        names.add(String(d.name));
        if (d.kind !== 'Container' && d.kind !== 'Folder' && d.kind !== 'File') p.add(`${w}.kind`, "must be 'Container', 'Folder' or 'File'.");
        if (d.kind === 'Folder' || d.kind === 'File') p.check(`${w}.path`, d.path, rules.blobPath);
        if (d.kind === 'Container' && d.path !== undefined) p.add(`${w}.path`, 'applies to Folder and File datasets only.');
      });
    }
    if (share.schedule !== undefined) {
      if (!obj(share.schedule)) p.add('share.schedule', 'must be an object.');
      else {
        if (share.schedule.recurrence !== 'Day' && share.schedule.recurrence !== 'Hour') p.add('share.schedule.recurrence', "must be 'Day' or 'Hour'.");
        p.check('share.schedule.time', share.schedule.time, rules.timeOfDay);
      }
    }
  }
  const inv = v.invitation;
  if (!obj(inv)) p.add('invitation', 'is required (an object).');
  else {
    unknownKeys(p, 'invitation', inv, ['name', 'targetEmail', 'targetTenantId', 'targetObjectId', 'expiresOn']);
    p.check('invitation.name', inv.name, rules.dataShareName);
    if (inv.targetEmail !== undefined) p.check('invitation.targetEmail', inv.targetEmail, rules.email);
    if (inv.targetEmail !== undefined && (inv.targetTenantId !== undefined || inv.targetObjectId !== undefined)) p.add('invitation', 'addresses the consumer by targetEmail OR by targetTenantId + targetObjectId, not both.');
    if ((inv.targetTenantId === undefined) !== (inv.targetObjectId === undefined)) p.add('invitation', 'targetTenantId and targetObjectId go together.');
    if (inv.targetTenantId !== undefined) p.check('invitation.targetTenantId', inv.targetTenantId, rules.guid);
    if (inv.targetObjectId !== undefined) p.check('invitation.targetObjectId', inv.targetObjectId, rules.guid);
    if (inv.targetTenantId !== undefined && obj(v.consumer) && inv.targetTenantId !== v.consumer.tenantId) p.add('invitation.targetTenantId', 'must be the consumer tenant.');
    if (inv.expiresOn !== undefined) p.check('invitation.expiresOn', inv.expiresOn, (s) => futureDate(s, now));
  }
  const sub = v.subscription;
  if (!obj(sub)) p.add('subscription', 'is required (an object).');
  else {
    unknownKeys(p, 'subscription', sub, ['name', 'mode', 'trigger']);
    p.check('subscription.name', sub.name, rules.dataShareName);
    if (sub.mode !== undefined && sub.mode !== 'FullSync' && sub.mode !== 'Incremental') p.add('subscription.mode', "must be 'FullSync' or 'Incremental'.");
    if (sub.trigger !== undefined && typeof sub.trigger !== 'boolean') p.add('subscription.trigger', 'must be true or false.');
  }
  if (v.governance !== undefined) {
    if (!obj(v.governance)) p.add('governance', 'must be an object.');
    else {
      unknownKeys(p, 'governance', v.governance, ['policy', 'justification', 'quality', 'approval']);
      if (v.governance.approval !== undefined) for (const [field, message] of checkApprovalPlan(v.governance.approval)) p.add(field, message);
      if (v.governance.quality !== undefined) {
        const names = obj(share) && Array.isArray(share.datasets) ? share.datasets.map((d: unknown) => (obj(d) ? String(d.name) : '')) : [];
        for (const [field, message] of checkQualityPlan(v, v.governance.quality, names, baseDir)) p.add(field, message);
      }
      const pol = v.governance.policy;
      if (pol !== undefined) {
        if (!obj(pol)) p.add('governance.policy', 'must be an object.');
        else {
          unknownKeys(p, 'governance.policy', pol, ['blocked', 'requireJustification', 'unknown']);
          for (const k of ['blocked', 'requireJustification'] as const) {
            if (pol[k] !== undefined && (!Array.isArray(pol[k]) || !(pol[k] as unknown[]).every((c) => typeof c === 'string' && c.length > 0))) p.add(`governance.policy.${k}`, 'must be a list of classification names.');
          }
          if (pol.unknown !== undefined && !['allow', 'block', 'justify'].includes(String(pol.unknown))) p.add('governance.policy.unknown', "must be 'allow', 'block' or 'justify'.");
        }
      }
      if (v.governance.justification !== undefined && (typeof v.governance.justification !== 'string' || !v.governance.justification.trim())) p.add('governance.justification', 'must be a non-empty string.');
    }
  }
  if (v.notifications !== undefined) for (const [field, message] of checkNotificationsPlan(v.notifications)) p.add(field, message);
  for (const k of ['scan', 'readiness'] as const) {
    const o = v[k];
    if (o === undefined) continue;
    if (!obj(o)) p.add(k, 'must be an object.');
    else {
      const keys = k === 'scan' ? ['provider', 'consumer'] : ['guestInvite', 'partnerPolicy'];
      unknownKeys(p, k, o, keys);
      for (const kk of keys) if (o[kk] !== undefined && typeof o[kk] !== 'boolean') p.add(`${k}.${kk}`, 'must be true or false.');
    }
  }
  p.throwIfAny(source);
  return v as unknown as RecipePlan;
}
