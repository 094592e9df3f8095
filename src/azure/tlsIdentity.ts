/**
 * Which TLS settings a request carries, as a small number: the same CA (and client certificate) in
 * different objects (each client builds its own `tlsSettings`) get the same id, so the clients of a
 * cloud share one HTTP/2 session per origin and their reads join the same ARM batches.
 */
import { createHash } from 'node:crypto';

export class TlsIds {
  private readonly byObject = new WeakMap<object, number>();
  private readonly byContent = new Map<string, number>();
  private next = 1;

  /** 0 without settings (the public roots). */
  of(settings: object | undefined): number {
    if (!settings) return 0;
    let id = this.byObject.get(settings);
    if (!id) {
      const content = contentKey(settings as Record<string, unknown>);
      id = this.byContent.get(content);
      if (!id) {
        id = this.next++;
        this.byContent.set(content, id);
      }
      this.byObject.set(settings, id);
    }
    return id;
  }
}

/** A digest of the settings' contents (CA, client certificate and key: never kept in the clear). */
function contentKey(t: Record<string, unknown>): string {
  const h = createHash('sha256');
  for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized']) {
    const v = t[k];
    const parts = v === undefined ? [] : Array.isArray(v) ? v : [v];
    h.update(`${k}:${parts.length}:`);
    for (const p of parts) h.update(typeof p === 'string' ? p : p instanceof Uint8Array ? p : String(JSON.stringify(p))).update('\0');
  }
  return h.digest('base64');
}
