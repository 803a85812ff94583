/**
 * One option vocabulary: every client refuses an unknown key and a bad value with one
 * InvalidArgumentError naming the option, the value and the rule, and reads `retry` the same way.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '../../src/admin/admin.ts'
import { Cluster } from '../../src/cluster/cluster.ts'
import { ConnectClient } from '../../src/connect/client.ts'
import { Consumer } from '../../src/consumer/consumer.ts'
import { resolveConsumerOptions } from '../../src/consumer/options.ts'
import { CruiseControlClient } from '../../src/cruise-control/client.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Producer } from '../../src/producer/producer.ts'
import { resolveProducerOptions } from '../../src/producer/options.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'
import { integer, oneOf, options, parseOptions, retryOption } from '../../src/resilience/options.ts'

const logger = createLogger({ level: 'silent' })
const bootstrap = '127.0.0.1:9'

function refused (make: () => unknown, message: string | RegExp): void {
  assert.throws(make, (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError, `an InvalidArgumentError, got ${String(e)}`)
    if (typeof message === 'string') assert.equal(e.message, message)
    else assert.match(e.message, message)
    return true
  })
}

describe('parseOptions', () => {
  const schema = options({ size: integer(1, 10), mode: oneOf(['a', 'b']), retry: retryOption(['initialDelayMs', 'maxDelayMs']) })

  test('returns what it was given when every option is valid', () => {
    assert.deepEqual(parseOptions('thing', schema, { size: 3, retry: { initialDelayMs: 5 } }), { size: 3, retry: { initialDelayMs: 5 } })
  })

  test('names every problem at once: unknown keys with the known ones, bad values with the rule', () => {
    refused(() => parseOptions('thing', schema, { size: 11, colour: 'red', mode: 'c' }),
      'thing option colour is not known (known: size, mode, retry); thing option size must be an integer from 1 to 10, got 11; thing option mode must be one of a, b, got "c"')
  })

  test('nested options are named by their path', () => {
    refused(() => parseOptions('thing', schema, { retry: { initialDelayMs: 5, deadlineMs: 1 } }),
      'thing option retry.deadlineMs is not known (known: initialDelayMs, maxDelayMs)')
    refused(() => parseOptions('thing', schema, { retry: { initialDelayMs: 50, maxDelayMs: 10 } }),
      'thing option retry.maxDelayMs must be >= initialDelayMs (50), got 10')
  })

  test('options that are not an object are refused as such', () => {
    refused(() => parseOptions('thing', schema, 'size=3'), 'thing options must be an object, got "size=3"')
  })
})

describe('every client refuses unknown keys and bad values', () => {
  test('Cluster', () => {
    refused(() => new Cluster({ bootstrap, logger, metadataMaxAge: 5 } as never), 'cluster option metadataMaxAge is not known (known: bootstrap, clientId, tls, sasl, connectTimeoutMs, requestTimeoutMs, maxInFlight, maxFrameBytes, apiVersionsVersion, metadataMaxAgeMs, bootstrapRefreshIntervalMs, endpointCheck, logger, clock, registry)')
    refused(() => new Cluster({ bootstrap, logger, requestTimeoutMs: -5 }), 'cluster option requestTimeoutMs must be an integer >= 1, got -5')
    refused(() => new Cluster({ bootstrap, logger, sasl: { mechanism: 'GSSAPI', username: 'u', password: 'p' } as never }),
      'cluster option sasl.mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "GSSAPI"')
    refused(() => new Cluster({ bootstrap, logger, endpointCheck: { intervalMs: 1_000, rebuildShare: 0 } }), 'cluster option endpointCheck.rebuildShare must be a number above 0 and at most 1, got 0')
  })

  test('Admin: the issue\'s example { bogus: 1, requestTimeoutMs: -5 } is refused', () => {
    refused(() => new Admin({ bootstrap, logger, bogus: 1, requestTimeoutMs: -5 } as never),
      /^admin option bogus is not known \(known: bootstrap, .*, defaultTimeoutMs, retry, backoff\); admin option requestTimeoutMs must be an integer >= 1, got -5$/)
    refused(() => new Admin({ bootstrap, logger, retry: { initialDelayMs: 10, deadlineMs: 100 } as never }),
      'admin option retry.deadlineMs is not known (known: initialDelayMs, maxDelayMs, multiplier, maxAttempts, jitter)')
    refused(() => new Admin({ bootstrap, logger, retry: { initialDelayMs: 10 }, backoff: { initialDelayMs: 10 } }),
      'admin option backoff must be left out when retry is given (it is the older name of retry), got {"initialDelayMs":10}')
  })

  test('Producer', () => {
    refused(() => new Producer({ bootstrap, logger, lingerMS: 5 } as never), /^producer option lingerMS is not known \(known: .*\)$/)
    refused(() => new Producer({ bootstrap, logger, retry: { initialDelayMs: -1 } }), 'producer option retry.initialDelayMs must be an integer >= 0, got -1')
    refused(() => new Producer({ bootstrap, logger, retryBackoffMs: 10, retry: { initialDelayMs: 10 } }),
      'producer option retryBackoffMs must be left out when retry.initialDelayMs is given (it is the older name of retry.initialDelayMs), got 10')
  })

  test('Consumer', () => {
    refused(() => new Consumer({ bootstrap, logger, fetchSize: 1 } as never), /^consumer option fetchSize is not known \(known: .*\)$/)
    refused(() => new Consumer({ bootstrap, logger, autoCommit: 'yes' as never }), 'consumer option autoCommit must be true or false, got "yes"')
  })

  test('Connect client', () => {
    refused(() => new ConnectClient({ urls: 'http://w:8083', retries: 3 } as never), /^connect client option retries is not known \(known: urls, .*\)$/)
    refused(() => new ConnectClient({ urls: 'http://w:8083', retry: { jitter: 'some' as never } }), 'connect client option retry.jitter must be one of equal, full, none, got "some"')
  })

  test('Cruise Control client', () => {
    refused(() => new CruiseControlClient({ url: 'http://cc:9090', maxTasks: 4 } as never), 'cruise control client option maxTasks is not known (known: url, auth, tls, maxActiveUserTasks, requestTimeoutMs, retry, operationTimeoutMs, pollIntervalMs, userAgent, logger, registry, clientId)')
    refused(() => new CruiseControlClient({ url: 'http://cc:9090', requestTimeoutMs: 0 }), 'cruise control client option requestTimeoutMs must be an integer >= 1, got 0')
  })
})

describe('one retry vocabulary', () => {
  test('producer and consumer read retry, and still read the Java names retryBackoffMs and retryBackoffMaxMs', () => {
    assert.deepEqual(resolveProducerOptions({ bootstrap, retry: { initialDelayMs: 20, maxDelayMs: 400 } }).retry, { initialDelayMs: 20, maxDelayMs: 400 })
    assert.deepEqual(resolveProducerOptions({ bootstrap, retryBackoffMs: 20, retryBackoffMaxMs: 400 }).retry, { initialDelayMs: 20, maxDelayMs: 400 })
    assert.deepEqual(resolveProducerOptions({ bootstrap }).retry, { initialDelayMs: 100, maxDelayMs: 1000 })
    assert.deepEqual(resolveProducerOptions({ bootstrap, retry: { initialDelayMs: 2000 } }).retry, { initialDelayMs: 2000, maxDelayMs: 2000 }, 'the cap is never below the first delay')
    const consumer = resolveConsumerOptions({ bootstrap, retry: { initialDelayMs: 30, maxDelayMs: 300 } })
    assert.deepEqual([consumer.retryBackoffMs, consumer.retryBackoffMaxMs], [30, 300])
  })
})
