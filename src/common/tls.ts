/**
 * TLS settings for the sandbox's CA, shared by every HTTP client of the process (no vscode, no SDK
 * import: the auth layer uses it too).
 */
import { createSecureContext, type SecureContext } from 'node:tls';

/** The shape core-rest-pipeline's TlsSettings takes, plus the prebuilt context its agents pass on. */
export interface CaTlsSettings {
  ca: string;
  secureContext: SecureContext;
}

const tlsCache = new Map<string, CaTlsSettings>();

/**
 * One TlsSettings object per CA PEM: the Node HTTP client caches agents by this object. It also
 * carries one prebuilt TLS secure context (the agent passes it on to every `tls.connect`), so a new
 * connection does not parse the CA and build a context again: that took about 0.5 ms of CPU per
 * connection, a third of the client's cost when a tree level opens hundreds of connections at once.
 */
export function tlsOptionsFor(caPem: string | undefined): CaTlsSettings | undefined {
  if (!caPem) {
    return undefined;
  }
  let tls = tlsCache.get(caPem);
  if (!tls) {
    tls = { ca: caPem, secureContext: createSecureContext({ ca: caPem }) };
    tlsCache.set(caPem, tls);
  }
  return tls;
}
