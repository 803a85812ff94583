/** Parses the proxy's upstream list: `host:port[,host:port…]`, IPv6 in brackets (`[::1]:9092`). */
import { InvalidArgumentError } from '../../resilience/errors.ts'
import type { Address } from './rewrite.ts'

export function parseUpstream (input: string | readonly string[]): Address[] {
  const entries = (typeof input === 'string' ? [input] : input).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '')
  if (entries.length === 0) throw new InvalidArgumentError('ChaosProxy upstream: the list is empty (expected host:port[,host:port…])')
  return entries.map((entry) => {
    const match = /^\[([^\]]+)\]:(\d+)$/.exec(entry) ?? /^([^:[\]]+):(\d+)$/.exec(entry)
    const port = Number(match?.[2])
    if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(`ChaosProxy upstream: "${entry}" is not host:port with a port in 1..65535`)
    }
    return { host: match[1] ?? '', port }
  })
}
