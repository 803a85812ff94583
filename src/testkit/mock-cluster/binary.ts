/**
 * Finds the compiled mock-cluster helper: an explicit path, then $STEADFAST_MOCK_CLUSTER_BIN, then
 * build/steadfast-mock-cluster at the package root (the same place from src/ and from dist/).
 */
import { accessSync, constants } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MockClusterUnavailableError } from './errors.ts'

export const DEFAULT_BINARY = fileURLToPath(new URL('../../../build/steadfast-mock-cluster', import.meta.url))

export function locateBinary (explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.STEADFAST_MOCK_CLUSTER_BIN
  const [path, source] = explicit !== undefined
    ? [explicit, 'the binary option']
    : fromEnv !== undefined && fromEnv !== ''
      ? [fromEnv, 'STEADFAST_MOCK_CLUSTER_BIN']
      : [DEFAULT_BINARY, 'the default location']
  try {
    accessSync(path, constants.X_OK)
  } catch (error) {
    throw new MockClusterUnavailableError(
      `mock-cluster helper not found or not executable at ${path} (from ${source}): ` +
      'run `npm run setup` to build librdkafka and the helper, or point STEADFAST_MOCK_CLUSTER_BIN at a built helper',
      { cause: error })
  }
  return path
}
