/**
 * The sandbox's TLS material: a local CA (trusted by clients through `tlsOptions.ca` or
 * NODE_EXTRA_CA_CERTS) and a server certificate it signs for 127.0.0.1 and localhost. Generated on
 * first run and kept in `<data-dir>/tls/`, so clients that trusted the CA keep working across restarts.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  caPath: string;
  certPath: string;
  keyPath: string;
  ca: string;
  cert: string;
  key: string;
}

export async function ensureTls(dataDir: string): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'tls');
  const caPath = path.join(dir, 'ca.pem');
  const certPath = path.join(dir, 'server-cert.pem');
  const keyPath = path.join(dir, 'server-key.pem');
  try {
    const [ca, cert, key] = await Promise.all([fs.readFile(caPath, 'utf8'), fs.readFile(certPath, 'utf8'), fs.readFile(keyPath, 'utf8')]);
    return { caPath, certPath, keyPath, ca, cert, key };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw err;
    }
  }
  await fs.mkdir(dir, { recursive: true });
  const notBeforeDate = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'Governed Data Share Sandbox CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }, { type: 7, ip: '::1' }] },
    ],
  });
  await fs.writeFile(caPath, ca.cert, { mode: 0o644 });
  await fs.writeFile(path.join(dir, 'ca-key.pem'), ca.private, { mode: 0o600 });
  await fs.writeFile(certPath, server.cert, { mode: 0o644 });
  await fs.writeFile(keyPath, server.private, { mode: 0o600 });
  return { caPath, certPath, keyPath, ca: ca.cert, cert: server.cert, key: server.private };
}
