// Bundles each channel's browser widget (plugins/<name>/widget/main.ts) into one minified
// classic script beside the compiled plugin: dist/plugins/<name>/widget.js.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGET = 60 * 1024
for (const name of readdirSync('plugins')) {
  const entry = `plugins/${name}/widget/main.ts`
  if (!existsSync(entry)) continue
  const result = await build({
    entryPoints: [entry],
    outfile: `dist/plugins/${name}/widget.js`,
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    write: true,
    metafile: true
  })
  const out = Object.keys(result.metafile.outputs)[0]
  const gz = gzipSync(readFileSync(out)).length
  if (gz > BUDGET) throw new Error(`${out} is ${gz} bytes gzipped, over the ${BUDGET} byte budget`)
  if (process.env.WIDGET_SIZE !== undefined) console.log(`${out}: ${readFileSync(out).length} bytes, ${gz} gzipped`)
}
