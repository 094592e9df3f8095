/**
 * The events the workflows announce (one per action that changes what is shared or who may see it).
 * Steps call `env.events?.publish(...)` after the action succeeded; the Event Grid publisher
 * (src/workflows/events.ts) sends them as CloudEvents 1.0 to the plan's custom topic. Publishing
 * never fails a step: a notification that cannot be sent is logged and audited, the data work stands.
 */
export const GDS_EVENT_TYPES = [
  'GovernedDataShare.ShareCreated',
  'GovernedDataShare.DataSetAdded',
  'GovernedDataShare.InvitationSent',
  'GovernedDataShare.InvitationAccepted',
  'GovernedDataShare.SnapshotSucceeded',
  'GovernedDataShare.SnapshotFailed',
  'GovernedDataShare.LineageRecorded',
  'GovernedDataShare.DataQualityFailed',
  'GovernedDataShare.ApprovalRequested',
  'GovernedDataShare.ApprovalDecided',
] as const;

export type GdsEventType = (typeof GDS_EVENT_TYPES)[number];

export interface EventSink {
  /** `subject` is the resource the event is about (an ARM id, or a Purview qualifiedName). */
  publish(type: GdsEventType, subject: string, data: Record<string, unknown>): Promise<void>;
}
