/**
 * Runs the callback of one record: decodes its value with the edge's codec, builds the context,
 * calls the callback (and a visitor's callback on one table key). Any failure becomes a ProcessingError naming the group, topic, partition,
 * offset and what failed (decoding, the callback, `ctx.fail`): it is fatal, since skipping the
 * record would lose it and retrying it would fail the same way. Shared by the processor and the Tester.
 */
import { createContext, FailedByCallback, type ContextHost, type IncomingRecord } from './context.ts'
import { ProcessingError } from './errors.ts'
import type { Callback } from './graph.ts'

export function processRecord<Token> (host: ContextHost<Token>, record: IncomingRecord, value: Buffer | null, token: Token): void | Promise<void> {
  const edge = host.graph.inputs.get(record.topic)
  if (edge === undefined) throw new ProcessingError(where(host.graph.group, record), 'no input', new Error(`group ${host.graph.group} does not read ${record.topic}`))
  let decoded: unknown = null
  if (value !== null) {
    try {
      decoded = edge.codec.decode(value)
    } catch (error) {
      throw new ProcessingError(where(host.graph.group, record), 'the codec could not decode the value', error)
    }
  }
  return run(host, record, edge.callback, decoded, token, 'the callback threw')
}

/** Runs visitor `name` on the table key `record.key` with `meta` as its value; failures are fatal as a record's are. */
export function processVisit<Token> (host: ContextHost<Token>, record: IncomingRecord, name: string, callback: Callback<unknown>, meta: unknown, token: Token): void | Promise<void> {
  return run(host, record, callback, meta, token, `visitor ${name} threw`)
}

function run<Token> (host: ContextHost<Token>, record: IncomingRecord, callback: Callback<unknown>, value: unknown, token: Token, what: string): void | Promise<void> {
  let result: void | Promise<void>
  try {
    result = callback(createContext(host, record, token), value)
  } catch (error) {
    throw failed(host.graph.group, record, error, what)
  }
  if (result instanceof Promise) return result.catch((error: unknown) => { throw failed(host.graph.group, record, error, what) })
}

// Built only when a record fails: nothing per record on the way that succeeds.
function where (group: string, record: IncomingRecord): ConstructorParameters<typeof ProcessingError>[0] {
  return { group, topic: record.topic, partition: record.partition, offset: record.offset }
}

function failed (group: string, record: IncomingRecord, error: unknown, what: string): ProcessingError {
  if (error instanceof FailedByCallback) return new ProcessingError(where(group, record), 'ctx.fail', error.reason)
  return error instanceof ProcessingError ? error : new ProcessingError(where(group, record), what, error)
}
