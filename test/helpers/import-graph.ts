import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * The runtime imports between the core's parts: each folder of core/ is one part and each
 * file at its root is its own. Type-only imports are left out (they vanish when compiled);
 * re-exports and dynamic imports count, because they load the module.
 */
export function coreImportGraph (coreDir: string): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>()
  for (const file of sourceFiles(coreDir)) {
    const from = partOf(coreDir, file)
    const edges = graph.get(from) ?? new Map<string, string[]>()
    graph.set(from, edges)
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue
      const target = resolve(dirname(file), spec)
      if (relative(coreDir, target).startsWith('..')) continue
      const to = partOf(coreDir, target)
      if (to === from) continue
      edges.set(to, [...(edges.get(to) ?? []), relative(coreDir, file)])
    }
  }
  return graph
}

/** The groups of parts that import each other, directly or round about (Tarjan's components of more than one part). */
export function importCircles (graph: Map<string, Map<string, string[]>>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const circles: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++
    stack.push(v); onStack.add(v)
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)) } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const part: string[] = []
    let w: string
    do { w = stack.pop()!; onStack.delete(w); part.push(w) } while (w !== v)
    if (part.length > 1) circles.push(part.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return circles
}

function partOf (coreDir: string, path: string): string {
  const rel = relative(coreDir, path).replace(/\.js$/, '.ts')
  const [first] = rel.split('/')
  return rel.includes('/') ? first! : first!.replace(/\.ts$/, '')
}

/** The modules a source file loads when it runs. */
export function runtimeImports (source: string): string[] {
  const found: string[] = []
  const statement = /^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s+'([^']+)'/gm
  for (const m of source.matchAll(statement)) {
    if (m[2] !== undefined) continue
    const names = /^\{([\s\S]*)\}$/.exec(m[3]!.trim())
    // `import { type A, type B }` loads nothing either.
    if (names !== null && names[1]!.split(',').map(n => n.trim()).filter(n => n !== '').every(n => n.startsWith('type '))) continue
    found.push(m[4]!)
  }
  for (const m of source.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(m[1]!)
  for (const m of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1]!)
  return found
}

function sourceFiles (dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}
