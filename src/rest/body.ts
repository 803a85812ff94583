/**
 * Reading an answer's body: at most `maxBytes` (a server, or something posing as one, cannot make
 * the client buffer without end), then JSON when it parses, else the text.
 */
import type { Dispatcher } from 'undici'
import { SteadfastError } from '../resilience/errors.ts'

export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024

/** Reads the whole body as UTF-8, failing (fatal, reason `body-too-large`) once it passes `maxBytes`. */
export async function readBody (body: Dispatcher.ResponseData['body'], maxBytes: number, what: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > maxBytes) {
      body.destroy()
      throw new SteadfastError(`${what}: the answer's body is larger than ${maxBytes} bytes; not reading it`, { action: 'fatal', reason: 'body-too-large' })
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The body as JSON when it parses, the text when it does not, undefined when there is none. */
export function parseBody (text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
