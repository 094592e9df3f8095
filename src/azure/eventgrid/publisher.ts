/**
 * Publishing CloudEvents 1.0 to an Event Grid custom topic through `@azure/eventgrid`'s
 * EventGridPublisherClient (5.12.0, data-plane api-version 2018-01-01), with the tenant's Microsoft
 * Entra credential (scope `https://eventgrid.azure.net/.default`, role EventGrid Data Sender) or a
 * topic key. The cloud's CA (the sandbox) is trusted like every other client's.
 */
import type { TokenCredential } from '@azure/core-auth';
import { AzureKeyCredential, EventGridPublisherClient, type SendCloudEventInput } from '@azure/eventgrid';
import { rethrowAsAzureError } from '../../common/azureErrors';
import { commonPipelineOptions, type PipelineSettings, type SignalLike } from '../pipeline';

export const EVENTGRID_SCOPE = 'https://eventgrid.azure.net/.default';

export type CloudEventInput = SendCloudEventInput<Record<string, unknown>>;

export class EventGridPublisher {
  readonly client: EventGridPublisherClient<'CloudEvent'>;

  /** `credential`: a TokenCredential (Entra) or `{ key }` (a topic access key, a secret). */
  constructor(
    readonly endpoint: string,
    credential: TokenCredential | { key: string },
    settings: PipelineSettings = {},
  ) {
    const cred = 'key' in credential ? new AzureKeyCredential(credential.key) : credential;
    this.client = new EventGridPublisherClient(endpoint, 'CloudEvent', cred, commonPipelineOptions(settings));
  }

  /** Sends the events in one batch (CloudEvents 1.0, `application/cloudevents-batch+json`). */
  async send(events: CloudEventInput[], options: { abortSignal?: SignalLike } = {}): Promise<void> {
    try {
      await this.client.send(events, { abortSignal: options.abortSignal });
    } catch (e) {
      rethrowAsAzureError(e);
    }
  }
}
