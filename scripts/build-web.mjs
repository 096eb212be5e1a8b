// Bundles the browser code with esbuild: each channel's widget (plugins/<name>/widget/main.ts →
// dist/plugins/<name>/widget.js, a classic script for sellers' pages) and the agents' inbox
// (web/inbox → dist/web/inbox: index.html, inbox.js, inbox.css). Each has a gzipped size budget.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { faviconIco, iconPng } from './icons.mjs'

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
for (const file of ['index.html', 'manifest.webmanifest', 'sw.js', 'icon.svg']) copyFileSync(`web/inbox/${file}`, `dist/web/inbox/${file}`)
// Installable as an app: the manifest's icons and the favicon.
for (const size of [192, 512]) writeFileSync(`dist/web/inbox/icon-${size}.png`, iconPng(size))
writeFileSync('dist/web/inbox/favicon.ico', faviconIco(iconPng(32), 32))
