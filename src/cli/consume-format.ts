/**
 * How `steadfast consume` prints a record: a kcat-style `--format` string, or one JSON object per
 * line. Format output is bytes: `%s` and `%k` write the record's bytes as stored (with the string
 * deserializer), so what kcat prints for a record, this prints too, invalid UTF-8 included.
 */
import type { ConsumerMessage } from '../consumer/message.ts'
import { InvalidArgumentError, SteadfastError } from '../resilience/errors.ts'

export type Deserializer = 'string' | 'json' | 'hex' | 'base64'

const DESERIALIZERS: readonly Deserializer[] = ['string', 'json', 'hex', 'base64']

export function parseDeserializer (what: string, text: string): Deserializer {
  if ((DESERIALIZERS as readonly string[]).includes(text)) return text as Deserializer
  throw new InvalidArgumentError(`${what}: "${text}" is not a deserializer (${DESERIALIZERS.join(', ')})`)
}

export interface RecordPrinter {
  /** The bytes to write for one record (ending in whatever the format ends with). */
  render: (m: ConsumerMessage) => Buffer
}

type Part = Buffer | ((m: ConsumerMessage) => Buffer)

/** Thrown when a record's key or value is not what its deserializer reads (json that does not parse). */
/** A record the chosen deserializer cannot read: bad data, not bad usage (exit 1, not 2). */
export class RecordFormatError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_RECORD_FORMAT'
  constructor (message: string) {
    super(message, { action: 'fatal', reason: 'record-format' })
  }
}

type Field = 'key' | 'value'

/** The bytes a deserializer prints for a key or value; NULL prints nothing, as kcat prints it. */
function rendered (m: ConsumerMessage, field: Field, how: Deserializer): Buffer {
  const bytes = m[field]
  if (bytes === null) return Buffer.alloc(0)
  switch (how) {
    case 'string': return bytes
    case 'hex': return Buffer.from(bytes.toString('hex'))
    case 'base64': return Buffer.from(bytes.toString('base64'))
    case 'json': return Buffer.from(JSON.stringify(parseJson(m, field, bytes)))
  }
}

function parseJson (m: ConsumerMessage, field: Field, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw new RecordFormatError(`--${field}-deserializer json: the ${field} of ${m.topic}-${m.partition} at offset ${m.offset} is not JSON (${(error as Error).message})`)
  }
}

/** Headers as kcat's %h prints them: `name=value` joined by commas, a NULL value as NULL. */
function headersText (m: ConsumerMessage): Buffer {
  const parts: Buffer[] = []
  m.headers.forEach((h, i) => {
    if (i > 0) parts.push(Buffer.from(','))
    parts.push(Buffer.from(`${h.key}=`), h.value === null ? Buffer.from('NULL') : h.value)
  })
  return Buffer.concat(parts)
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' }

/**
 * Compiles a kcat format string: %t topic, %p partition, %o offset, %k key, %s value, %K and %S
 * their sizes in bytes (-1 for NULL), %h headers, %T timestamp (ms), %% a percent sign; escapes
 * \n \r \t \\ and \xHH.
 */
export function formatPrinter (format: string, key: Deserializer, value: Deserializer): RecordPrinter {
  const tokens: Record<string, (m: ConsumerMessage) => Buffer> = {
    t: (m) => Buffer.from(m.topic),
    p: (m) => Buffer.from(String(m.partition)),
    o: (m) => Buffer.from(String(m.offset)),
    T: (m) => Buffer.from(String(m.timestamp)),
    k: (m) => rendered(m, 'key', key),
    s: (m) => rendered(m, 'value', value),
    K: (m) => Buffer.from(String(m.key === null ? -1 : m.key.length)),
    S: (m) => Buffer.from(String(m.value === null ? -1 : m.value.length)),
    h: headersText,
  }
  const parts: Part[] = []
  let literal = ''
  const flush = (): void => {
    if (literal !== '') parts.push(Buffer.from(literal, 'latin1'))
    literal = ''
  }
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string
    const next = format[i + 1]
    if (c === '%') {
      if (next === '%') literal += '%'
      else if (next !== undefined && tokens[next] !== undefined) {
        flush()
        parts.push(tokens[next])
      } else throw new InvalidArgumentError(`--format: "%${next ?? ''}" at position ${i + 1} is not a token (%t %p %o %k %s %K %S %h %T %%)`)
      i++
    } else if (c === '\\' && next === 'x') {
      const hex = format.slice(i + 2, i + 4)
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new InvalidArgumentError(`--format: "\\x${hex}" at position ${i + 1} is not \\x and two hex digits`)
      literal += String.fromCharCode(parseInt(hex, 16))
      i += 3
    } else if (c === '\\' && next !== undefined && ESCAPES[next] !== undefined) {
      literal += ESCAPES[next]
      i++
    } else {
      // Literal text of the format is the user's own: written as UTF-8, then kept byte for byte.
      literal += Buffer.from(c, 'utf8').toString('latin1')
    }
  }
  flush()
  return { render: (m) => Buffer.concat(parts.map((p) => Buffer.isBuffer(p) ? p : p(m))) }
}

function jsonField (m: ConsumerMessage, field: Field, how: Deserializer): unknown {
  const bytes = m[field]
  if (bytes === null) return null
  if (how === 'json') return parseJson(m, field, bytes)
  return how === 'string' ? bytes.toString('utf8') : rendered(m, field, how).toString('latin1')
}

/**
 * One JSON object per line: topic, partition, offset, timestamp, headers ([{ key, value }], values
 * as UTF-8 text), key and value. The string deserializer decodes UTF-8 (JSON holds text, not
 * bytes: use hex or base64 for binary data); json embeds the parsed value.
 */
export function jsonPrinter (key: Deserializer, value: Deserializer): RecordPrinter {
  return {
    render: (m) => Buffer.from(JSON.stringify({
      topic: m.topic,
      partition: m.partition,
      offset: Number.isSafeInteger(Number(m.offset)) ? Number(m.offset) : String(m.offset),
      timestamp: m.timestamp,
      headers: m.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') })),
      key: jsonField(m, 'key', key),
      value: jsonField(m, 'value', value),
    }) + '\n'),
  }
}
