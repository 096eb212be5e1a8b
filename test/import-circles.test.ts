import t from 'tap'
import { fileURLToPath } from 'node:url'
import { coreImportGraph, importCircles, runtimeImports } from './helpers/import-graph.js'

const core = fileURLToPath(new URL('../core', import.meta.url))

// A circle between the core's folders means no folder can be read, tested or replaced alone:
// the pipeline imports no feature (the hub composes their steps), and features import the pipeline.
t.test('no runtime import circle between the core folders', async t => {
  const graph = coreImportGraph(core)
  const circles = importCircles(graph)
  const why = circles.map(circle => circle.flatMap(from => [...graph.get(from)!].filter(([to]) => circle.includes(to)).map(([to, files]) => `${from} → ${to} (${[...new Set(files)].join(', ')})`)).join('\n'))
  t.same(why, [], 'the folders that import each other, and through which files')
  t.ok(graph.get('pipeline')?.has('events'), 'the graph sees the pipeline publish events (it reads the real imports)')
})

t.test('the check finds a circle, and a type-only import is none', async t => {
  const source = [
    "import type { A } from './types.js'",
    "import { type B, type C } from './more-types.js'",
    "import { run, type D } from './runs.js'",
    "export { again } from './re-exported.js'",
    "export type { E } from './type-re-export.js'",
    'import {',
    '  multi,',
    '  line',
    "} from './multi-line.js'",
    "const lazy = await import('./lazy.js')"
  ].join('\n')
  t.same(runtimeImports(source), ['./runs.js', './re-exported.js', './multi-line.js', './lazy.js'])
  const graph = new Map([['a', new Map([['b', ['a/x.ts']]])], ['b', new Map([['c', ['b/y.ts']]])], ['c', new Map([['a', ['c/z.ts']]])], ['d', new Map([['a', ['d/w.ts']]])]])
  t.same(importCircles(graph), [['a', 'b', 'c']])
})
