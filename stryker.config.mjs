/**
 * Mutation testing (StrykerJS), one module at a time: `npm run mutate` runs every module below,
 * `npm run mutate -- resilience producer` some of them (a name also runs the modules named
 * `<name>-…`, so `producer` runs the producer's three groups). Each module names the sources mutated and
 * the test files that claim to cover them; those files run under node:test for every mutant
 * (Stryker has no node:test runner, so the command runner does it: a mutant survives when the
 * command exits 0). The TypeScript checker drops mutants that do not compile before any test
 * runs. Not part of `npm test`: a module takes from minutes to hours on 2 cores.
 */
export const modules = {
  resilience: {
    mutate: ['src/resilience/**/*.ts', '!src/resilience/index.ts'],
    tests: ['test/resilience/backoff.test.ts', 'test/resilience/bulkhead.test.ts', 'test/resilience/classify.test.ts',
      'test/resilience/kafka-errors.test.ts', 'test/resilience/retry.test.ts', 'test/resilience/single-flight.test.ts',
      'test/resilience/keyed-serial.test.ts', 'test/resilience/link-signals.test.ts', 'test/resilience/clock.test.ts',
      'test/resilience/wake.test.ts', 'test/resilience/time-slice.test.ts'],
  },
  // The producer's partitioning and sequencing: murmur2, partitioners, the per-partition sender
  // (sequence numbers, producer-id resets, in-flight limits), the producer-id source and the fault
  // policy. Three groups, so that each mutant runs only the unit tests of its own files: the
  // producer's mock-cluster tests cost 15 s a mutant. `npm run mutate -- producer` runs all three.
  'producer-partitioning': {
    mutate: ['src/producer/murmur2.ts', 'src/producer/partitioner.ts'],
    tests: ['test/producer/murmur2.test.ts', 'test/producer/partitioner.test.ts'],
  },
  'producer-sequencing': {
    mutate: ['src/producer/partition-sender.ts', 'src/producer/producer-id.ts'],
    tests: ['test/producer/partition-sender.test.ts', 'test/producer/producer-id.test.ts'],
  },
  'producer-faults': {
    mutate: ['src/producer/faults.ts'],
    tests: ['test/producer/produce-verdict.test.ts'],
  },
  // The consumer's fault policy: a partition error's verdict, the commit classification.
  'consumer-faults': {
    mutate: ['src/consumer/faults.ts'],
    tests: ['test/consumer/faults.test.ts'],
  },
  // The REST transport both services share: fail-over, body bound, error building, timing.
  rest: {
    mutate: ['src/rest/**/*.ts'],
    tests: ['test/rest/transport.test.ts', 'test/rest/faults.test.ts', 'test/rest/options.test.ts', 'test/connect/client.test.ts',
      'test/cruise-control/client.test.ts', 'test/cruise-control/tls.test.ts'],
  },
  // Each client's fault policy: the admin's recovery hooks, Connect's answers and per-method
  // classification, Cruise Control's capacity, poll and execution cases.
  admin: {
    mutate: ['src/admin/context.ts', 'src/admin/faults.ts'],
    tests: ['test/admin/admin.test.ts', 'test/admin/context.test.ts'],
  },
  connect: {
    mutate: ['src/connect/faults.ts', 'src/connect/transport.ts'],
    tests: ['test/connect/faults.test.ts', 'test/connect/client.test.ts', 'test/connect/tls.test.ts'],
  },
  'cruise-control': {
    mutate: ['src/cruise-control/faults.ts', 'src/cruise-control/http.ts', 'src/cruise-control/client.ts'],
    tests: ['test/cruise-control/faults.test.ts', 'test/cruise-control/client.test.ts', 'test/cruise-control/concurrency.test.ts'],
  },
}

const name = process.env.STEADFAST_MUTATE_MODULE ?? 'resilience'
const module = modules[name]
if (module === undefined) throw new Error(`STEADFAST_MUTATE_MODULE: unknown module "${name}" (known: ${Object.keys(modules).join(', ')})`)
// A run narrowed with --mutate to one file can run only the test files that cover that file
// (space-separated), instead of the whole module's list.
const tests = process.env.STEADFAST_MUTATE_TESTS?.split(/\s+/).filter((t) => t !== '') ?? module.tests

export default {
  testRunner: 'command',
  commandRunner: { command: `node --import tsx --test --test-reporter=dot ${tests.join(' ')}` },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: module.mutate,
  // String mutants are dropped: the ones that matter (fault actions, API names) are string-literal
  // union types, which the TypeScript checker already rejects when emptied; the rest are error
  // and log texts, hundreds of mutants at ~10 s each on two cores that say nothing about behaviour.
  mutator: { excludedMutations: ['StringLiteral'] },
  // One mutant at a time: the Kafka tests start mock clusters, and the machine is shared.
  concurrency: 1,
  coverageAnalysis: 'off',
  timeoutMS: 120_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // One sandbox folder per module, so two modules can run side by side without one's clean-up
  // deleting the other's sandbox or copying it into its own.
  tempDirName: `.stryker-tmp/${name}`,
  ignorePatterns: ['.stryker-tmp'],
  cleanTempDir: 'always',
}
