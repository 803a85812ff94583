/** Parsing of bootstrap lists: `host:port[,host:port…]`, with IPv6 in brackets (`[::1]:9092`). */
import { InvalidArgumentError } from '../resilience/errors.ts'

export interface BrokerAddress {
  host: string
  port: number
}

/** Parses one list or several; every entry is checked and a bad one is named with its position. */
export function parseBootstrap (input: string | readonly string[]): BrokerAddress[] {
  const entries = (typeof input === 'string' ? [input] : input)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (entries.length === 0) throw new InvalidArgumentError('bootstrap: the list is empty (expected host:port[,host:port…])')
  return entries.map((entry, i) => {
    const match = /^\[([^\]]+)\]:(\d+)$/.exec(entry) ?? /^([^:[\]]+):(\d+)$/.exec(entry)
    const port = Number(match?.[2])
    if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(`bootstrap entry ${i + 1} "${entry}" is not host:port with a port in 1..65535`)
    }
    return { host: match[1] ?? '', port }
  })
}

export function formatAddress (address: BrokerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
