/**
 * UUIDs (topic ids and the like) are strings in Kafka's own display form: 22 characters of
 * URL-safe base64 without padding, as `kafka-topics --describe` prints them.
 */
import { InvalidArgumentError } from '../../resilience/errors.ts'

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export function uuidToString (bytes: Buffer): string {
  return bytes.toString('base64url')
}

export function uuidToBytes (uuid: string, where = 'uuid'): Buffer {
  const bytes = /^[A-Za-z0-9_-]{22}$/.test(uuid) ? Buffer.from(uuid, 'base64url') : null
  if (bytes === null || bytes.length !== 16 || uuidToString(bytes) !== uuid) {
    throw new InvalidArgumentError(`${where}: '${uuid}' is not a UUID (expected 22 characters of URL-safe base64)`)
  }
  return bytes
}
