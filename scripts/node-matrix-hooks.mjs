// Loaded with --import into every Node process of the Node-matrix run (scripts/node-matrix.sh):
// better-sqlite3's native binding in node_modules is built for the machine's Node (20); this
// points its require at the copy built against the matrix Node's headers, outside node_modules.
import { registerHooks } from 'node:module'
import { pathToFileURL } from 'node:url'

const binding = process.env.STEADFAST_MATRIX_SQLITE_BINDING
if (binding === undefined || binding === '') throw new Error('node-matrix-hooks: STEADFAST_MATRIX_SQLITE_BINDING is not set')
const target = pathToFileURL(binding).href

registerHooks({
  resolve (specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context)
    return resolved.url.endsWith('/better-sqlite3/build/Release/better_sqlite3.node') ? { ...resolved, url: target } : resolved
  },
})
