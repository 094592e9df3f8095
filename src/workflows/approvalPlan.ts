/**
 * The plan's `governance.approval` section: its type and its checks (pure, no clients), so the plan
 * parser reports approval problems with every other problem at once.
 */
export interface ApprovalPlan {
  required?: { classifications?: string[]; dataQualityWarnings?: boolean; allowedConsumerTenants?: string[]; maxExpiryDays?: number };
  channel?: 'logicApp' | 'editor';
  /**
   * The approval workflow. `teams` (a team and channel) makes it work in Azure on its own: the Teams
   * connector's "Post adaptive card and wait for a response" (an API connection someone authorizes
   * once) holds the request, and a second workflow `<name>-decisions` with Entra ID OAuth on its
   * trigger takes decisions from the editor with the approver's own token. Without `teams`, the card
   * goes to `teamsWebhookUrl` and an approval service at `approvalServiceUrl` (the sandbox serves one)
   * records the answer.
   */
  logicApp?: { name: string; resourceGroup?: string; teamsWebhookUrl?: string; approvalServiceUrl?: string; teams?: TeamsChannelPlan };
  approverTimeoutMinutes?: number;
  decisionValidHours?: number;
  requestReason?: string;
}

export interface TeamsChannelPlan {
  /** The team's id (its Microsoft 365 group id, a GUID). */
  teamId: string;
  /** The channel's id, e.g. `19:…@thread.tacv2` (Teams: the channel's "Get link to channel"). */
  channelId: string;
  /** The API connection's name (default `<logicApp.name>-teams`). */
  connectionName?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function httpsUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    return new URL(v).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Every problem of `governance.approval` as [field, message] pairs. */
export function checkApprovalPlan(v: unknown, where = 'governance.approval'): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (f: string, m: string) => out.push([`${where}${f ? `.${f}` : ''}`, m]);
  if (!obj(v)) {
    add('', 'must be an object.');
    return out;
  }
  for (const k of Object.keys(v)) if (!['required', 'channel', 'logicApp', 'approverTimeoutMinutes', 'decisionValidHours', 'requestReason'].includes(k)) add(k, 'is not a known property.');
  const r = v.required;
  if (r !== undefined) {
    if (!obj(r)) add('required', 'must be an object.');
    else {
      for (const k of Object.keys(r)) if (!['classifications', 'dataQualityWarnings', 'allowedConsumerTenants', 'maxExpiryDays'].includes(k)) add(`required.${k}`, 'is not a known property.');
      if (r.classifications !== undefined && (!Array.isArray(r.classifications) || !r.classifications.every((c) => typeof c === 'string' && c.length > 0))) add('required.classifications', 'must be a list of classification names or patterns (e.g. MICROSOFT.FINANCIAL.*).');
      if (r.dataQualityWarnings !== undefined && typeof r.dataQualityWarnings !== 'boolean') add('required.dataQualityWarnings', 'must be true or false.');
      if (r.allowedConsumerTenants !== undefined && (!Array.isArray(r.allowedConsumerTenants) || !r.allowedConsumerTenants.every((t) => typeof t === 'string' && GUID.test(t)))) add('required.allowedConsumerTenants', 'must be a list of tenant ids (GUIDs).');
      if (r.maxExpiryDays !== undefined && (typeof r.maxExpiryDays !== 'number' || !Number.isInteger(r.maxExpiryDays) || r.maxExpiryDays < 1)) add('required.maxExpiryDays', 'must be a whole number of days, at least 1.');
    }
  }
  if (v.channel !== undefined && v.channel !== 'logicApp' && v.channel !== 'editor') add('channel', "must be 'logicApp' or 'editor'.");
  const la = v.logicApp;
  if (la === undefined) {
    if (r !== undefined) add('logicApp', 'is required when approval is required: the Logic App run is where requests and decisions are kept (give {name, teams: {teamId, channelId}} or {name, teamsWebhookUrl}).');
  } else if (!obj(la)) add('logicApp', 'must be an object.');
  else {
    for (const k of Object.keys(la)) if (!['name', 'resourceGroup', 'teamsWebhookUrl', 'approvalServiceUrl', 'teams'].includes(k)) add(`logicApp.${k}`, 'is not a known property.');
    if (typeof la.name !== 'string' || !/^[\w\-.()]{1,80}$/.test(la.name)) add('logicApp.name', "must be 1-80 letters, digits, '-', '_', '.', '(' or ')'.");
    if (la.resourceGroup !== undefined && (typeof la.resourceGroup !== 'string' || !/^[\w\-.()]{1,90}$/.test(la.resourceGroup) || la.resourceGroup.endsWith('.'))) add('logicApp.resourceGroup', 'must be a resource group name.');
    if (la.teams === undefined ? !httpsUrl(la.teamsWebhookUrl) : la.teamsWebhookUrl !== undefined && !httpsUrl(la.teamsWebhookUrl)) add('logicApp.teamsWebhookUrl', la.teams === undefined ? 'must be an https URL (a Teams Workflows webhook), unless logicApp.teams names the team and channel.' : 'must be an https URL (a Teams Workflows webhook).');
    if (la.teams !== undefined) {
      const t = la.teams;
      if (!obj(t)) add('logicApp.teams', 'must be an object {teamId, channelId}.');
      else {
        for (const k of Object.keys(t)) if (!['teamId', 'channelId', 'connectionName'].includes(k)) add(`logicApp.teams.${k}`, 'is not a known property.');
        if (typeof t.teamId !== 'string' || !GUID.test(t.teamId)) add('logicApp.teams.teamId', "must be the team's id (a GUID: in Teams, the team's \"Get link to team\" has it as groupId).");
        if (typeof t.channelId !== 'string' || !/^19:[^\s]+@thread\.[a-z0-9]+$/i.test(t.channelId)) add('logicApp.teams.channelId', "must be a channel id like 19:…@thread.tacv2 (in Teams, the channel's \"Get link to channel\").");
        if (t.connectionName !== undefined && (typeof t.connectionName !== 'string' || !/^[\w\-.]{1,80}$/.test(t.connectionName))) add('logicApp.teams.connectionName', "must be 1-80 letters, digits, '-', '_' or '.'.");
      }
    }
    if (la.approvalServiceUrl !== undefined && !httpsUrl(la.approvalServiceUrl)) add('logicApp.approvalServiceUrl', 'must be an https URL.');
  }
  for (const k of ['approverTimeoutMinutes', 'decisionValidHours'] as const) {
    const n = v[k];
    if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n) || n <= 0)) add(k, 'must be a positive number.');
  }
  if (typeof v.approverTimeoutMinutes === 'number' && v.approverTimeoutMinutes > 90 * 24 * 60) add('approverTimeoutMinutes', 'must be at most 129600 (90 days, the longest a Logic Apps run lasts).');
  if (v.requestReason !== undefined && (typeof v.requestReason !== 'string' || !v.requestReason.trim())) add('requestReason', 'must be a non-empty string.');
  return out;
}
