/**
 * Reading a Kafka client config file (`--command-config`, as Kafka's `kafka-*.sh --command-config`
 * and kcat's `-F` read): Java properties syntax (`key=value` or `key: value`, `#`/`!` comments,
 * a trailing `\` continuing a line, backslash escapes) and `sasl.jaas.config`'s login-module line.
 */
import { InvalidArgumentError } from '../resilience/errors.ts'

export interface Property {
  value: string
  /** 1-based line the property starts on, for errors. */
  line: number
}

/** The properties of `text` (read from `file`, named in errors); a later duplicate wins, as in Java. */
export function parseProperties (text: string, file: string): Map<string, Property> {
  const properties = new Map<string, Property>()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1
    let logical = (lines[i] ?? '').replace(/^\s+/, '')
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue
    while (/(^|[^\\])(\\\\)*\\$/.test(logical) && i + 1 < lines.length) logical = logical.slice(0, -1) + (lines[++i] ?? '').replace(/^\s+/, '')
    const separator = /^((?:[^\\:=\s]|\\.)+)\s*[:=\s]\s*/.exec(logical)
    const key = unescape(separator?.[1] ?? logical)
    if (key === '') throw new InvalidArgumentError(`--command-config: ${file} line ${start}: no key before the separator`)
    properties.set(key, { value: unescape(separator === null ? '' : logical.slice(separator[0].length)), line: start })
  }
  return properties
}

function unescape (text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_all, c: string) =>
    c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c)
}

export interface JaasLogin {
  /** `plain` (PlainLoginModule) or `scram` (ScramLoginModule). */
  module: 'plain' | 'scram'
  username: string
  password: string
}

/**
 * `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="…";`
 * Only the PLAIN and SCRAM login modules carry a user name and password; any other is refused.
 */
export function parseJaasConfig (text: string, where: string): JaasLogin {
  const head = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b/.exec(text)
  const module = head?.[1]?.endsWith('.PlainLoginModule') === true ? 'plain' : head?.[1]?.endsWith('.ScramLoginModule') === true ? 'scram' : undefined
  if (module === undefined) {
    throw new InvalidArgumentError(`${where}: sasl.jaas.config must use PlainLoginModule or ScramLoginModule (got "${head?.[1] ?? text.trim().split(/\s/)[0] ?? ''}")`)
  }
  const options = new Map<string, string>()
  for (const m of text.slice(head?.[0].length).matchAll(/([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/g)) {
    options.set(m[1] ?? '', m[2] === undefined ? m[3] ?? '' : m[2].replace(/\\(.)/g, '$1'))
  }
  const username = options.get('username')
  const password = options.get('password')
  if (username === undefined || password === undefined) throw new InvalidArgumentError(`${where}: sasl.jaas.config needs username="…" and password="…"`)
  return { module, username, password }
}
