import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'build/**', 'coverage/**', 'node_modules/**', '.stryker-tmp/**', 'reports/**'] }),
]
