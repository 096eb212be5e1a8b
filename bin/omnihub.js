#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` makes dist/.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/core/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('omnihub is not built yet: run `npm run build` first.\n')
  process.exit(1)
}
const { main } = await import(cli.href)
const code = await main(process.argv.slice(2))
// -1: a long-running command (start, worker) keeps the process alive.
if (code >= 0) process.exit(code)
