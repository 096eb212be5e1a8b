/**
 * The two SQLite bindings the embedded store could use, on the same work: the store's group
 * commit shape (32 writes a transaction, each in a savepoint: an insert with RETURNING and a
 * point read). It chose better-sqlite3 13 over Node's own node:sqlite with these figures.
 *
 *   npm run bench:sqlite-bindings                  # on the runtime npm scripts use
 *   OMNIHUB_NODE=22 npm run bench:sqlite-bindings  # on Node 22
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000)
const BATCH = 32
const RUNS = Number(process.env.BENCH_RUNS ?? 5)

interface Binding { exec: (sql: string) => void, prepare: (sql: string) => { get: (...args: Array<string | number>) => unknown }, close: () => void }

async function open (name: string, path: string): Promise<Binding> {
  if (name === 'better-sqlite3') {
    const db = new Database(path)
    return { exec: sql => { db.exec(sql) }, prepare: sql => db.prepare<Array<string | number>>(sql), close: () => db.close() }
  }
  const { DatabaseSync } = await import('node:sqlite')
  const db = new DatabaseSync(path)
  return { exec: sql => { db.exec(sql) }, prepare: sql => db.prepare(sql), close: () => db.close() }
}

async function once (name: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-bench-sqlite-'))
  const db = await open(name, join(dir, 'bench.db'))
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL')
  db.exec('CREATE TABLE m (id TEXT PRIMARY KEY, channel TEXT, ext TEXT, text TEXT, n INTEGER); CREATE UNIQUE INDEX m_ext ON m (channel, ext)')
  const insert = db.prepare('INSERT INTO m (id, channel, ext, text, n) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *')
  const read = db.prepare('SELECT * FROM m WHERE id = ?')
  const started = performance.now()
  for (let i = 0; i < ROWS; i += BATCH) {
    db.exec('BEGIN IMMEDIATE')
    for (let j = i; j < i + BATCH; j++) {
      db.exec('SAVEPOINT w')
      insert.get(`id${j}`, 'api', `e${j}`, 'Where is my order?', j)
      read.get(`id${j >> 1}`)
      db.exec('RELEASE w')
    }
    db.exec('COMMIT')
  }
  const rate = ROWS / ((performance.now() - started) / 1000)
  db.close()
  rmSync(dir, { recursive: true, force: true })
  return rate
}

for (const name of ['better-sqlite3', 'node:sqlite']) {
  const rates: number[] = []
  for (let i = 0; i < RUNS; i++) rates.push(await once(name))
  rates.sort((a, b) => a - b)
  console.log(JSON.stringify({ binding: name, node: process.version, rows: ROWS, runs: RUNS, medianWritesPerSec: Math.round(rates[Math.floor(RUNS / 2)]!) }))
}
