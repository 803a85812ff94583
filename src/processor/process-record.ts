/**
 * Runs the callback of one record: decodes its value with the edge's codec, builds the context,
 * calls the callback. Any failure becomes a ProcessingError naming the group, topic, partition,
 * offset and what failed (decoding, the callback, `ctx.fail`): it is fatal, since skipping the
 * record would lose it and retrying it would fail the same way. Shared by the processor and the Tester.
 */
import { createContext, FailedByCallback, type ContextHost, type IncomingRecord } from './context.ts'
import { ProcessingError } from './errors.ts'

export function processRecord (host: ContextHost, record: IncomingRecord, value: Buffer | null): void | Promise<void> {
  const where = { group: host.graph.group, topic: record.topic, partition: record.partition, offset: record.offset }
  const edge = host.graph.inputs.get(record.topic)
  if (edge === undefined) throw new ProcessingError(where, 'no input', new Error(`group ${host.graph.group} does not read ${record.topic}`))
  let decoded: unknown = null
  if (value !== null) {
    try {
      decoded = edge.codec.decode(value)
    } catch (error) {
      throw new ProcessingError(where, 'the codec could not decode the value', error)
    }
  }
  const failed = (error: unknown): ProcessingError => error instanceof FailedByCallback
    ? new ProcessingError(where, 'ctx.fail', error.reason)
    : error instanceof ProcessingError ? error : new ProcessingError(where, 'the callback threw', error)
  let result: void | Promise<void>
  try {
    result = edge.callback(createContext(host, record), decoded)
  } catch (error) {
    throw failed(error)
  }
  if (result instanceof Promise) return result.catch((error: unknown) => { throw failed(error) })
}
