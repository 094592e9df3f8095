/**
 * Thin wrapper over `@azure/arm-eventgrid` 14.1.0 (api-version 2022-06-15): custom topics (create,
 * read, keys) and event subscriptions with webhook destinations on them. The topic's keys are
 * secrets: never log or show them.
 */
import type { TokenCredential } from '@azure/core-auth';
import { EventGridManagementClient, type EventSubscription, type Topic, type TopicSharedAccessKeys } from '@azure/arm-eventgrid';
import type { PagedIterable } from '../core/paging';
import { applyPipelinePolicies } from '../pipeline';
import { coreClientArmOptions, sdkCall, sdkScope, wrapPaged, type ArmSettings, type OperationOptions } from './common';

export type { EventSubscription, Topic, TopicSharedAccessKeys };

export const EVENTGRID_ARM_API_VERSION = '2022-06-15';
/** EventGrid Data Sender: may publish events to a topic with a Microsoft Entra token. */
export const EVENTGRID_DATA_SENDER_ROLE = 'd5a91429-5739-47e2-a06b-3470a27159e7';

export type EventSchema = 'CloudEventSchemaV1_0' | 'EventGridSchema';

export interface TopicInput {
  location: string;
  inputSchema?: EventSchema;
  tags?: Record<string, string>;
  /** True: only Microsoft Entra tokens may publish (no keys, no SAS). */
  disableLocalAuth?: boolean;
}

export interface WebhookSubscriptionInput {
  endpointUrl: string;
  includedEventTypes?: string[];
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  /** Default: the topic's own schema. */
  eventDeliverySchema?: EventSchema;
  maxDeliveryAttempts?: number;
  eventTimeToLiveInMinutes?: number;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.EventGrid/topics/{name}`. */
export function topicId(subscriptionId: string, resourceGroupName: string, topicName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.EventGrid/topics/${topicName}`;
}

export class EventGridApi {
  readonly sdk: EventGridManagementClient;

  constructor(
    credential: TokenCredential,
    readonly subscriptionId: string,
    private readonly settings: ArmSettings,
  ) {
    this.sdk = new EventGridManagementClient(credential, subscriptionId, coreClientArmOptions(settings));
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  private lro(o?: OperationOptions) {
    return { abortSignal: o?.abortSignal, updateIntervalInMs: this.settings.lro?.intervalInMs };
  }

  readonly topics = {
    get: (resourceGroupName: string, topicName: string, o?: OperationOptions): Promise<Topic> => sdkCall(() => this.sdk.topics.get(resourceGroupName, topicName, { abortSignal: o?.abortSignal })),
    /** Creates or updates a topic and waits until it is provisioned. */
    createAndWait: (resourceGroupName: string, topicName: string, input: TopicInput, o?: OperationOptions): Promise<Topic> =>
      sdkCall(() =>
        this.sdk.topics.beginCreateOrUpdateAndWait(
          resourceGroupName,
          topicName,
          { location: input.location, inputSchema: input.inputSchema ?? 'CloudEventSchemaV1_0', publicNetworkAccess: 'Enabled', ...(input.tags ? { tags: input.tags } : {}), ...(input.disableLocalAuth !== undefined ? { disableLocalAuth: input.disableLocalAuth } : {}) },
          this.lro(o),
        ),
      ),
    list: (resourceGroupName: string, o?: OperationOptions): PagedIterable<Topic> => wrapPaged(() => this.sdk.topics.listByResourceGroup(resourceGroupName, { abortSignal: o?.abortSignal })),
    delete: (resourceGroupName: string, topicName: string, o?: OperationOptions): Promise<void> => sdkCall(() => this.sdk.topics.beginDeleteAndWait(resourceGroupName, topicName, this.lro(o))),
    /** The topic's access keys (secrets). */
    listKeys: (resourceGroupName: string, topicName: string, o?: OperationOptions): Promise<TopicSharedAccessKeys> => sdkCall(() => this.sdk.topics.listSharedAccessKeys(resourceGroupName, topicName, { abortSignal: o?.abortSignal })),
    regenerateKey: (resourceGroupName: string, topicName: string, keyName: 'key1' | 'key2', o?: OperationOptions): Promise<TopicSharedAccessKeys> =>
      sdkCall(() => this.sdk.topics.beginRegenerateKeyAndWait(resourceGroupName, topicName, { keyName }, this.lro(o))),
  };

  readonly subscriptions = {
    get: (scope: string, name: string, o?: OperationOptions): Promise<EventSubscription> => sdkCall(() => this.sdk.eventSubscriptions.get(sdkScope(scope), name, { abortSignal: o?.abortSignal })),
    /** Creates or updates a webhook subscription; resolves once the validation handshake ended (see `provisioningState`). */
    createWebhookAndWait: (scope: string, name: string, input: WebhookSubscriptionInput, o?: OperationOptions): Promise<EventSubscription> =>
      sdkCall(() =>
        this.sdk.eventSubscriptions.beginCreateOrUpdateAndWait(
          sdkScope(scope),
          name,
          {
            destination: { endpointType: 'WebHook', endpointUrl: input.endpointUrl },
            filter: { includedEventTypes: input.includedEventTypes?.length ? input.includedEventTypes : undefined, subjectBeginsWith: input.subjectBeginsWith, subjectEndsWith: input.subjectEndsWith },
            ...(input.eventDeliverySchema ? { eventDeliverySchema: input.eventDeliverySchema } : {}),
            retryPolicy: { maxDeliveryAttempts: input.maxDeliveryAttempts ?? 30, eventTimeToLiveInMinutes: input.eventTimeToLiveInMinutes ?? 1440 },
          },
          this.lro(o),
        ),
      ),
    /** The full endpoint URL (ARM hides it in reads: it may carry a secret in its query). */
    getFullUrl: async (scope: string, name: string, o?: OperationOptions): Promise<string | undefined> =>
      (await sdkCall(() => this.sdk.eventSubscriptions.getFullUrl(sdkScope(scope), name, { abortSignal: o?.abortSignal }))).endpointUrl,
    listForTopic: (resourceGroupName: string, topicName: string, o?: OperationOptions): PagedIterable<EventSubscription> =>
      wrapPaged(() => this.sdk.eventSubscriptions.listByResource(resourceGroupName, 'Microsoft.EventGrid', 'topics', topicName, { abortSignal: o?.abortSignal })),
    delete: (scope: string, name: string, o?: OperationOptions): Promise<void> => sdkCall(() => this.sdk.eventSubscriptions.beginDeleteAndWait(sdkScope(scope), name, this.lro(o))),
  };
}
