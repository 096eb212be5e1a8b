import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { storeConflict } from '../errors.js'
import type { FaultPlan } from '../faults.js'
import { migrations } from './migrations.js'

interface PendingWrite<T> { work: () => T, resolve: (value: T) => void, reject: (err: unknown) => void }

const WRITE = /^\s*(INSERT|UPDATE|DELETE)\b/i

export const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: string }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/**
 * The one connection and write path every sqlite part shares: one file, WAL so readers never
 * block the writer, safe across processes. Each write is one savepoint inside a group commit,
 * so everything one call writes lands together or not at all: the inbox's rules hold by
 * transaction, and there is nothing for `repair` to finish.
 */
export class SqliteConnection {
  readonly path: string
  raw!: Database.Database
  private readonly faults: FaultPlan | undefined
  private statements = new Map<string, Database.Statement>()
  private pending: Array<PendingWrite<unknown>> = []
  /** Nested in the batch's transaction, a better-sqlite3 transaction is a savepoint: a throwing write undoes only itself. */
  private savepoint!: (work: () => unknown) => unknown
  private flushScheduled = false

  constructor (path: string, faults?: FaultPlan) {
    this.path = path
    this.faults = faults
  }

  open (): void {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true })
    this.raw = new Database(this.path)
    this.raw.pragma('journal_mode = WAL')
    this.raw.pragma('synchronous = NORMAL')
    this.raw.pragma('busy_timeout = 5000')
    this.raw.pragma('foreign_keys = ON')
    // 64 MiB of pages instead of 2: the indexes an inbound message touches stay in memory (bench:store ~11,400 → ~13,700 msg/s).
    this.raw.pragma('cache_size = -65536')
    this.migrate()
    this.savepoint = this.raw.transaction((work: () => unknown) => work())
  }

  private migrate (): void {
    const current = this.raw.pragma('user_version', { simple: true }) as number
    if (current > migrations.length) throw storeConflict('store_too_new', this.path)
    // Immediate: two processes starting together must not both migrate.
    this.raw.transaction(() => {
      const version = this.raw.pragma('user_version', { simple: true }) as number
      for (let v = version; v < migrations.length; v++) {
        this.raw.exec(migrations[v]!)
        this.raw.pragma(`user_version = ${v + 1}`)
      }
    }).immediate()
  }

  close (): void {
    if (this.raw?.open) this.flush()
    this.statements.clear()
    if (this.raw?.open) this.raw.close()
  }

  /** Prepared statements, cached by their text; under a test's fault plan, writes count toward its crash. */
  sql (text: string): Database.Statement {
    let statement = this.statements.get(text)
    if (statement === undefined) {
      statement = this.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }

  private prepare (text: string): Database.Statement {
    const statement = this.raw.prepare(text)
    const faults = this.faults
    if (faults === undefined || !WRITE.test(text)) return statement
    return new Proxy(statement, {
      get (target, key) {
        const value: unknown = Reflect.get(target, key)
        if (key !== 'run' && key !== 'get' && key !== 'all') return value
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args)
          faults.wrote()
          return result
        }
      }
    })
  }

  /**
   * Group commit: writes that arrive in the same event-loop turn share one transaction, each
   * in its own savepoint, so one commit (the costly part) serves many webhooks. A write's
   * promise settles only after that commit, so nothing is acknowledged before it is durable.
   */
  async write<T> (work: () => T): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve, reject } as PendingWrite<unknown>)
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush (): void {
    this.flushScheduled = false
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    const outcomes: Array<{ ok: true, value: unknown } | { ok: false, error: unknown }> = []
    try {
      this.raw.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: this.savepoint(item.work) })
          } catch (error) {
            outcomes.push({ ok: false, error })
          }
        }
      }).immediate()
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else item.reject(outcome.error)
    })
  }
}

/** What every sqlite part is: a view of one aggregate over the shared connection. */
export class SqlitePart {
  constructor (protected readonly db: SqliteConnection) {}
}
