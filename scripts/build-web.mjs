// Bundles the browser code with esbuild: each channel's widget (plugins/<name>/widget/main.ts →
// dist/plugins/<name>/widget.js, a classic script for sellers' pages) and the agents' inbox
// (web/inbox → dist/web/inbox: index.html, inbox.js, inbox.css). Each has a gzipped size budget.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const report = process.env.WEB_SIZE !== undefined

async function bundle (entry, outfile, budget, extra = {}) {
  const result = await build({
    entryPoints: [entry], outfile, bundle: true, minify: true, format: 'iife', target: 'es2020',
    legalComments: 'none', write: true, metafile: true, ...extra
  })
  for (const out of Object.keys(result.metafile.outputs)) {
    const gz = gzipSync(readFileSync(out)).length
    if (gz > budget) throw new Error(`${out} is ${gz} bytes gzipped, over the ${budget} byte budget`)
    if (report) console.log(`${out}: ${readFileSync(out).length} bytes, ${gz} gzipped`)
  }
}

for (const name of readdirSync('plugins')) {
  const entry = `plugins/${name}/widget/main.ts`
  if (existsSync(entry)) await bundle(entry, `dist/plugins/${name}/widget.js`, 60 * 1024)
}

mkdirSync('dist/web/inbox', { recursive: true })
await bundle('web/inbox/main.tsx', 'dist/web/inbox/inbox.js', 120 * 1024, { jsx: 'automatic', jsxImportSource: 'preact' })
copyFileSync('web/inbox/index.html', 'dist/web/inbox/index.html')
