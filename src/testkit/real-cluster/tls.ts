/**
 * The rig's own certificate authority: a CA and a broker certificate for localhost/127.0.0.1, made
 * with openssl into PEM files (Kafka reads PEM key stores), valid for two days. Clients trust the
 * CA file; nothing is installed system-wide.
 */
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { RealClusterUnavailableError } from './errors.ts'

const run = promisify(execFile)

export interface RigCertificates {
  /** PEM of the CA certificate: what a client passes as its CA. */
  caFile: string
  /** PEM with the broker's private key followed by its certificate. */
  keystoreFile: string
}

export async function makeCertificates (dir: string): Promise<RigCertificates> {
  const path = (name: string): string => join(dir, name)
  const openssl = async (args: string[]): Promise<void> => {
    try {
      await run('openssl', args)
    } catch (error) {
      throw new RealClusterUnavailableError(`the rig's TLS set-up needs openssl (apt-get install openssl): openssl ${args[0] ?? ''} failed`, { cause: error })
    }
  }
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('ca.key'), '-out', path('ca.pem'),
    '-days', '2', '-subj', '/CN=steadfast-rig-ca'])
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('broker.key'), '-out', path('broker.csr'),
    '-subj', '/CN=localhost'])
  writeFileSync(path('broker.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  await openssl(['x509', '-req', '-in', path('broker.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'),
    '-CAcreateserial', '-out', path('broker.pem'), '-days', '2', '-extfile', path('broker.ext')])
  writeFileSync(path('broker-keystore.pem'), readFileSync(path('broker.key'), 'utf8') + readFileSync(path('broker.pem'), 'utf8'))
  return { caFile: path('ca.pem'), keystoreFile: path('broker-keystore.pem') }
}
