/**
 * The examples every command's `--help` ends with, by command path, in one table so a test can
 * hold every command to having some and every example to parsing (test/cli/help-examples.test.ts).
 * A command with subcommands and no entry of its own shows the first example of each subcommand.
 * An example is a shell line: what follows `#` is a comment; stdin may come from a pipe or `<`.
 */
import type { Command } from 'commander'

const B = '-b 127.0.0.1:9092'
const CONNECT = '--url http://127.0.0.1:8083'
const CC = '--url http://127.0.0.1:9090'

export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  agent: ['steadfast agent --config agent.yaml', 'steadfast agent --engine mock --port 0            # on the sandbox'],
  sandbox: ['steadfast sandbox --engine mock', 'steadfast sandbox --engine real --dir ./sandbox --port 8081'],
  'cluster info': [`steadfast cluster info ${B}`, 'steadfast cluster info --command-config client.properties -o json'],
  topics: [
    `steadfast topics create orders --partitions 6 --replication-factor 3 --config retention.ms=86400000 ${B}`,
    'steadfast topics describe-config orders -o yaml',
    'steadfast topics alter-config orders --set retention.ms=3600000 --delete cleanup.policy',
    'steadfast topics add-partitions orders --count 12',
  ],
  'topics list': [`steadfast topics list ${B}`, 'steadfast topics list --internal -o json'],
  'topics describe': [`steadfast topics describe orders payments ${B}`, 'steadfast topics describe orders -o yaml'],
  'topics create': [`steadfast topics create orders --partitions 6 --replication-factor 3 ${B}`, 'steadfast topics create audit --config cleanup.policy=compact --config retention.ms=-1 --validate-only'],
  'topics delete': [`steadfast topics delete orders ${B}`, 'steadfast topics delete orders-old orders-tmp --timeout 1m'],
  'topics describe-config': [`steadfast topics describe-config orders ${B}`, 'steadfast topics describe-config orders --all -o yaml'],
  'topics alter-config': [`steadfast topics alter-config orders --set retention.ms=3600000 ${B}`, 'steadfast topics alter-config orders --delete cleanup.policy --validate-only'],
  'topics add-partitions': [`steadfast topics add-partitions orders --count 12 ${B}`],
  groups: [
    `steadfast groups list ${B}`,
    'steadfast groups lag billing --topic orders -o json',
    'steadfast groups reset-offsets billing --topic orders --to-datetime 2026-12-01T10:00:00Z            # the plan',
    'steadfast groups reset-offsets billing --topic orders --to-datetime 2026-12-01T10:00:00Z --execute',
  ],
  'groups list': [`steadfast groups list ${B}`, 'steadfast groups list -o json'],
  'groups describe': [`steadfast groups describe billing ${B}`, 'steadfast groups describe billing shipping -o yaml'],
  'groups offsets': [`steadfast groups offsets billing ${B}`, 'steadfast groups offsets billing --topic orders -o json'],
  'groups lag': [`steadfast groups lag billing --topic orders ${B}`, 'steadfast groups lag billing -o json'],
  'groups delete': [`steadfast groups delete billing ${B}`, 'steadfast groups delete billing-old billing-tmp'],
  'groups reset-offsets': [
    `steadfast groups reset-offsets billing --topic orders --to-earliest ${B}          # the plan only`,
    'steadfast groups reset-offsets billing --topic orders:0,1 --to-datetime 2026-12-01T10:00:00Z --execute',
    'steadfast groups reset-offsets billing --topic orders --to-offset 42 --dry-run -o json',
  ],
  'groups delete-offsets': [`steadfast groups delete-offsets billing --topic orders ${B}`, 'steadfast groups delete-offsets billing --topic orders:0,1'],
  'offsets list': [`steadfast offsets list orders ${B}`, 'steadfast offsets list orders:0,1 --time 2026-12-01T10:00:00Z -o json', 'steadfast offsets list orders payments --time earliest'],
  produce: [
    `printf 'k1:hello\\nk2:world\\n' | steadfast produce ${B} -t orders -K :`,
    `steadfast produce ${B} -t orders -p 0 -k user-7 -H source=import --file events.txt`,
    'steadfast produce -t orders --format json < records.jsonl    # {"key":"k","value":"v","headers":{"h":"1"},"partition":2}',
    "steadfast produce -t orders --delimiter '\\0' --null-value NULL -c 100 --command-config client.properties",
  ],
  consume: [
    `steadfast consume ${B} -t orders -e`,
    "steadfast consume -t orders -G billing -f '%p %o %k=%s\\n'",
    'steadfast consume -t orders -p 0 --offset -10 -e -o json',
  ],
  'config show': ['steadfast config show', 'STEADFAST_BOOTSTRAP=kafka:9093 steadfast config show --command-config client.properties -o json'],
  rebalance: [
    `steadfast rebalance create --mode full --name r1 --auto-approve ${CC}`,
    'steadfast rebalance status r1 --watch',
  ],
  'rebalance create': [
    `steadfast rebalance create --mode full --name r1 ${CC}`,
    'steadfast rebalance create --mode add-brokers --brokers 3,4 --name grow --auto-approve',
    'steadfast rebalance create -f rebalance.yaml -o yaml',
  ],
  'rebalance list': [`steadfast rebalance list ${CC}`, 'steadfast rebalance list -o json'],
  'rebalance status': ['steadfast rebalance status r1', 'steadfast rebalance status r1 --watch --interval 5s --timeout 30m'],
  'rebalance approve': [`steadfast rebalance approve r1 ${CC}`],
  'rebalance refresh': [`steadfast rebalance refresh r1 ${CC}`],
  'rebalance stop': [`steadfast rebalance stop r1 ${CC}`],
  'rebalance delete': ['steadfast rebalance delete r1', 'steadfast rebalance delete r1 --state-dir ./rebalances'],
  'cc state': [`steadfast cc state ${CC}`, 'steadfast cc state --substates executor,monitor -o yaml'],
  'cc user-tasks': [`steadfast cc user-tasks ${CC}`, 'steadfast cc user-tasks --types Active,InExecution --entries 10 -o json'],
  connect: [`steadfast connect apply -f connectors/ --dry-run ${CONNECT}`, 'steadfast connect restart sink --only-failed'],
  'connect apply': [
    `steadfast connect apply -f connectors/ --dry-run ${CONNECT}`,
    'steadfast connect apply -f connectors/ --prune --wait',
    'kustomize build . | steadfast connect apply -f -',
  ],
  'connect get': [`steadfast connect get orders-sink ${CONNECT}`, 'steadfast connect get orders-sink -o yaml'],
  'connect status': [`steadfast connect status orders-sink ${CONNECT}`, 'steadfast connect status orders-sink -o json'],
  'connect restart': [`steadfast connect restart orders-sink --only-failed ${CONNECT}`, 'steadfast connect restart orders-sink --task 0', 'steadfast connect restart orders-sink --include-tasks'],
  'connect pause': [`steadfast connect pause orders-sink ${CONNECT}`],
  'connect resume': [`steadfast connect resume orders-sink ${CONNECT}`],
  'connect stop': [`steadfast connect stop orders-sink ${CONNECT}`],
  'connect delete': [`steadfast connect delete orders-sink ${CONNECT}`],
  'connect offsets get': [`steadfast connect offsets get orders-sink ${CONNECT}`, 'steadfast connect offsets get orders-sink -o json'],
  'connect offsets alter': [`steadfast connect offsets alter orders-sink --offsets @offsets.json --stop-first ${CONNECT}`],
  'connect offsets reset': [`steadfast connect offsets reset orders-sink --stop-first ${CONNECT}`],
  'connect plugins': [`steadfast connect plugins ${CONNECT}`, 'steadfast connect plugins --all -o json'],
  completion: [
    'eval "$(steadfast completion bash)"          # in ~/.bashrc',
    'eval "$(steadfast completion zsh)"           # in ~/.zshrc',
    'steadfast completion fish > ~/.config/fish/completions/steadfast.fish',
  ],
  'testkit cluster': ['steadfast testkit cluster --brokers 3 --topic orders:3:3', 'steadfast testkit cluster --brokers 1 -o json'],
  'testkit kafka': ['steadfast testkit kafka --brokers 3 --topic orders:6:3', 'steadfast testkit kafka --connect-workers 2 --sasl'],
  'testkit cruise-control': ['steadfast testkit cruise-control --port 9090 --brokers 6', 'steadfast testkit cruise-control --proposal-time 5s --max-block 10s'],
  'testkit connect': ['steadfast testkit connect --workers 3 --port 8083', 'steadfast testkit connect --rebalance-time 3s'],
  'testkit proxy': ['steadfast testkit proxy --upstream 127.0.0.1:9092', 'steadfast testkit proxy --upstream 127.0.0.1:9092,127.0.0.1:9093 -o json'],
}

/** The path of a command below the program: `topics create`, `connect offsets get`. */
export function commandPath (command: Command): string {
  const names: string[] = []
  for (let c: Command | null = command; c?.parent != null; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/** The examples `--help` shows for a command: its own, or the first of each subcommand's. */
export function examplesFor (command: Command): string[] {
  const own = EXAMPLES[commandPath(command)]
  if (own !== undefined) return [...own]
  return command.commands.flatMap((c) => examplesFor(c).slice(0, 1))
}

/** Adds the Examples section to the help of `command` and of every command below it. */
export function addExamples (command: Command): void {
  for (const sub of command.commands) {
    const examples = examplesFor(sub)
    if (examples.length > 0) sub.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`)
    addExamples(sub)
  }
}
