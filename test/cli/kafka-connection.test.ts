/**
 * The Kafka connection settings of every command: flag > env > client config file, Kafka's
 * property names, what each combination becomes (TLS, SASL), and the errors for inconsistent ones.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parseProperties } from '../../src/cli/client-properties.ts'
import { effectiveSettings, kafkaConnection } from '../../src/cli/kafka-connection.ts'
import { runCli } from '../support/run-cli.ts'

describe('client config files', () => {
  test('Java properties: = : and space separators, comments, continuation lines, escapes', () => {
    const text = '# comment\n! also\nbootstrap.servers=a:1,\\\n   b:2\nsecurity.protocol : SSL\nsasl.mechanism PLAIN\nkey\\=with\\:seps=v\\tx\\u00e9\n\n'
    const props = parseProperties(text, 'f')
    assert.deepEqual([...props].map(([k, p]) => [k, p.value, p.line]), [
      ['bootstrap.servers', 'a:1,b:2', 3], ['security.protocol', 'SSL', 5], ['sasl.mechanism', 'PLAIN', 6], ['key=with:seps', 'v\txé', 7],
    ])
  })
})

describe('effective settings', () => {
  let dir: string
  let file: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steadfast-conn-'))
    file = join(dir, 'client.properties')
    // A properties file escapes backslashes too: the JAAS line it holds reads password="fr\"om file".
    await writeFile(file, 'bootstrap.servers=file:9092\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="fr\\\\"om file";\n')
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  test('flag > env > file, each with its source', () => {
    const env = { STEADFAST_BOOTSTRAP: 'env:9092', STEADFAST_SASL_MECHANISM: 'SCRAM-SHA-256' }
    const settings = effectiveSettings({ commandConfig: file, saslMechanism: 'PLAIN' }, env)
    assert.deepEqual(settings.get('bootstrap.servers'), { value: 'env:9092', source: 'STEADFAST_BOOTSTRAP' })
    assert.deepEqual(settings.get('sasl.mechanism'), { value: 'PLAIN', source: '--sasl-mechanism' })
    assert.deepEqual(settings.get('security.protocol'), { value: 'SASL_PLAINTEXT', source: `${file} line 2` })
    const connection = kafkaConnection({ commandConfig: file, bootstrap: 'flag:9092', saslMechanism: 'PLAIN' }, env)
    assert.equal(connection.bootstrap, 'flag:9092')
    assert.equal(connection.tls, undefined)
    assert.throws(() => kafkaConnection({ commandConfig: file }, env), /sasl.jaas.config .* uses the PLAIN login module but sasl.mechanism is SCRAM-SHA-256/)
    assert.deepEqual(kafkaConnection({ commandConfig: file }, {}).sasl, { mechanism: 'PLAIN', username: 'alice', password: 'fr"om file' })
    assert.deepEqual(kafkaConnection({ commandConfig: file, saslUsername: 'bob' }, { STEADFAST_SASL_PASSWORD: 'pw' }).sasl, { mechanism: 'PLAIN', username: 'bob', password: 'pw' }, 'sasl.username/password win over the JAAS line')
  })

  test('the default file under XDG_CONFIG_HOME is read when it exists; STEADFAST_COMMAND_CONFIG names another', async () => {
    const xdg = join(dir, 'xdg')
    assert.throws(() => kafkaConnection({}, { XDG_CONFIG_HOME: xdg }), /no bootstrap servers: give -b\/--bootstrap/)
    await mkdir(join(xdg, 'steadfast'), { recursive: true })
    await writeFile(join(xdg, 'steadfast/client.properties'), 'bootstrap.servers=default:9092\n')
    assert.equal(kafkaConnection({}, { XDG_CONFIG_HOME: xdg }).bootstrap, 'default:9092')
    assert.equal(kafkaConnection({}, { XDG_CONFIG_HOME: xdg, STEADFAST_COMMAND_CONFIG: file }).bootstrap, 'file:9092')
    assert.throws(() => kafkaConnection({}, { STEADFAST_COMMAND_CONFIG: join(dir, 'missing') }), /--command-config: cannot read .*missing/)
  })

  test('inconsistent or unknown settings are refused, naming the setting and where it came from', async () => {
    const bad = join(dir, 'bad.properties')
    await writeFile(bad, 'bootstrap.servers=x:1\nrequest.timeout.ms=5\n')
    assert.throws(() => kafkaConnection({ commandConfig: bad }, {}), new RegExp(`${bad} line 2: "request.timeout.ms" is not a setting steadfast reads`))
    assert.throws(() => kafkaConnection({ bootstrap: 'x:1', saslMechanism: 'PLAIN' }, {}), /sasl.mechanism \(--sasl-mechanism\) is set but security.protocol is PLAINTEXT/)
    assert.throws(() => kafkaConnection({ bootstrap: 'x:1', caFile: '/nope' }, {}), /ssl.ca.location \(--ca-file\) is set but security.protocol is PLAINTEXT/)
    assert.throws(() => kafkaConnection({ bootstrap: 'x:1', securityProtocol: 'SASL_SSL' }, {}), /security.protocol SASL_SSL needs sasl.mechanism PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/)
    assert.throws(() => kafkaConnection({ bootstrap: 'x:1', securityProtocol: 'TLS' }, {}), /security.protocol \(--security-protocol\): "TLS" is not PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/)
    assert.throws(() => kafkaConnection({ bootstrap: 'x:1', securityProtocol: 'SSL', caFile: file }, {}), /ssl.ca.location \(--ca-file\): .* holds no PEM certificate/)
    assert.deepEqual(kafkaConnection({ bootstrap: 'x:1', securityProtocol: 'ssl' }, {}).tls, {}, 'SSL with the system CAs')
  })

  test('steadfast config show: every setting with its source, secrets masked; exit 2 when incomplete', async () => {
    const shown = await runCli(['config', 'show', '--command-config', file, '-o', 'json'], { env: { STEADFAST_BOOTSTRAP: 'env:9092', STEADFAST_SASL_PASSWORD: 'hunter2' } })
    assert.equal(shown.code, 0, shown.stderr)
    assert.deepEqual(JSON.parse(shown.stdout), {
      'bootstrap.servers': { value: 'env:9092', source: 'STEADFAST_BOOTSTRAP' },
      'security.protocol': { value: 'SASL_PLAINTEXT', source: `${file} line 2` },
      'sasl.mechanism': { value: 'PLAIN', source: `${file} line 3` },
      // The user name the login line gives, shown as such; the password variable wins over the line's.
      'sasl.username': { value: 'alice', source: `sasl.jaas.config (${file} line 4)` },
      'sasl.password': { value: '********', source: 'STEADFAST_SASL_PASSWORD' },
      'sasl.jaas.config': { value: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="********";', source: `${file} line 4` },
    })
    assert.ok(!shown.stdout.includes('hunter2') && !shown.stdout.includes('om file'))
    const empty = await runCli(['config', 'show'], { env: { XDG_CONFIG_HOME: join(dir, 'none'), STEADFAST_BOOTSTRAP: undefined } })
    assert.equal(empty.code, 2)
    assert.match(empty.stdout, /^SETTING +VALUE +SOURCE +ENV\nbootstrap.servers +\(unset\) +STEADFAST_BOOTSTRAP\n/)
    assert.match(empty.stderr, /no bootstrap servers/)
  })
})
