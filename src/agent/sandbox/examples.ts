/**
 * The sandbox's example files: two FileStream connectors, a rebalance waiting for approval, and
 * the agent config pointing at the sandbox's servers. Written once into the sandbox directory;
 * files already there are left as the user edited them, so a second run keeps their changes.
 */
import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const CONNECTORS_YAML = `# FileStream connectors, in Strimzi's KafkaConnector shape. Edit and save: the agent applies it.
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: files-source
spec:
  class: org.apache.kafka.connect.file.FileStreamSourceConnector
  tasksMax: 1
  config:
    file: /tmp/steadfast-sandbox-input.txt
    topic: files
  autoRestart:
    enabled: true
---
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: files-sink
  # annotations:
  #   strimzi.io/restart: "true"
spec:
  class: org.apache.kafka.connect.file.FileStreamSinkConnector
  tasksMax: 2
  config:
    file: /tmp/steadfast-sandbox-output.txt
    topics: files
`

export const REBALANCE_YAML = `# A full rebalance. Approve its proposal with the annotation below or the page's button.
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaRebalance
metadata:
  name: full-rebalance
  # annotations:
  #   strimzi.io/rebalance: approve
spec:
  mode: full
`

export interface ExampleServers { bootstrap: string, connectUrls: string[], cruiseControlUrl: string, port: number }

export function configYaml (servers: ExampleServers): string {
  return `# steadfast agent config for the sandbox (docs/agent.md lists every option).
kafka:
  bootstrap: ${servers.bootstrap}
connect:
  urls:
${servers.connectUrls.map((u) => `    - ${u}`).join('\n')}
cruiseControl:
  url: ${servers.cruiseControlUrl}
manifests: manifests
groups:
  - { name: billing, topics: [orders] }
  - { name: analytics, topics: [orders] }
  - { name: audit, topics: [orders] }
http:
  listen: 127.0.0.1:${servers.port}
state: state
intervals:
  connectors: 5s
  rebalances: 2s
  lag: 3s
lag:
  window: 5
`
}

async function writeOnce (file: string, text: string): Promise<void> {
  try {
    await access(file)
  } catch {
    await writeFile(file, text, 'utf8')
  }
}

/** Writes the manifests (once) and the config (always: the servers' ports change per run); returns the config path. */
export async function writeExamples (dir: string, servers: ExampleServers): Promise<string> {
  await mkdir(join(dir, 'manifests'), { recursive: true })
  await writeOnce(join(dir, 'manifests', 'connectors.yaml'), CONNECTORS_YAML)
  await writeOnce(join(dir, 'manifests', 'rebalance.yaml'), REBALANCE_YAML)
  const config = join(dir, 'agent.yaml')
  await writeFile(config, configYaml(servers), 'utf8')
  return config
}
