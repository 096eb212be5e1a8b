#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` makes dist/.
import { existsSync } from 'node:fs'

// The SQLite binding and several dependencies need an LTS line: 22 or 24 (Node 20 reached its end of life).
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`omnihub needs Node.js 22 or 24; this is ${process.version}. Install an LTS line, or run it through \`npm start\`, which brings one.\n`)
  process.exit(1)
}
const cli = new URL('../dist/core/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('omnihub is not built yet: run `npm run build` first.\n')
  process.exit(1)
}
const { main } = await import(cli.href)
const code = await main(process.argv.slice(2))
// -1: a long-running command (start, worker) keeps the process alive.
if (code >= 0) process.exit(code)
