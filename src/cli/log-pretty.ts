/**
 * Turns one pino JSON line into the one-line form people read on a terminal:
 * `18:22:40.123 WARN  retry: retrying … attempt=2 reason=econnrefused err="connect ECONNREFUSED …"`.
 * The fields pino adds for machines (pid, hostname, name, level number, time) become the time
 * and the level word; every other field follows the message as key=value.
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
const COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' }
const MACHINE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component'])

function value (v: unknown): string {
  if (typeof v === 'string') return /^[\w.:/@+-]+$/.test(v) ? v : JSON.stringify(v)
  if (v !== null && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
    const e = v as { message: string, code?: unknown, stack?: unknown }
    const code = typeof e.code === 'string' ? ` [${e.code}]` : ''
    const stack = typeof e.stack === 'string' ? `\n${e.stack}` : ''
    return JSON.stringify(e.message + code) + stack
  }
  return JSON.stringify(v)
}

export function prettyLine (json: string, colour: boolean): string {
  let record: Record<string, unknown>
  try {
    record = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json.endsWith('\n') ? json : json + '\n'
  }
  const level = typeof record.level === 'number' ? record.level : 30
  const word = (LEVELS[level] ?? String(level)).padEnd(5)
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : ''
  const component = typeof record.component === 'string' ? `${record.component}: ` : ''
  const fields = Object.entries(record).filter(([k]) => !MACHINE_FIELDS.has(k)).map(([k, v]) => `${k}=${value(v)}`)
  const levelText = colour ? `\x1b[${COLOURS[level] ?? '0'}m${word}\x1b[0m` : word
  return [time, levelText, `${component}${typeof record.msg === 'string' ? record.msg : ''}`, ...fields].filter((p) => p !== '').join(' ') + '\n'
}
