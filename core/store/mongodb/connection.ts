import { Mongoose, type Connection } from 'mongoose'
import type { FaultPlan } from '../faults.js'
import { registerModels, type Models } from './models.js'

export type Doc = Record<string, any>

export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number }).code === 11000

export interface MongoOptions {
  /** `auto`: transactions where the server has them (a replica set or sharded cluster); `off`: ordered, repairable writes only. */
  transactions?: 'auto' | 'off'
  faults?: FaultPlan
}

/**
 * The one connection every mongodb part shares. Its own Mongoose instance, with
 * transactionAsyncLocalStorage on, so every operation inside `atomically` joins that
 * transaction without a session passed by hand (nothing inside may run two at once).
 */
export class MongoConnection {
  readonly uri: string
  m!: Models
  /** True once open() found a deployment that runs transactions. */
  transactions = false
  private connection!: Connection
  private readonly mongoose = new Mongoose({ transactionAsyncLocalStorage: true })
  private readonly options: MongoOptions

  constructor (uri: string, options: MongoOptions = {}) {
    this.uri = uri
    this.options = options
  }

  async open (): Promise<void> {
    this.connection = await this.mongoose.createConnection(this.uri, { serverSelectionTimeoutMS: 5000 }).asPromise()
    this.m = registerModels(this.connection)
    const hello = await this.connection.db!.admin().command({ hello: 1 }) as { setName?: string, msg?: string }
    this.transactions = this.options.transactions !== 'off' && (hello.setName !== undefined || hello.msg === 'isdbgrid')
    await Promise.all(Object.values(this.m).map(async model => await model.createIndexes()))
  }

  async close (): Promise<void> {
    await this.connection?.close()
  }

  async ping (): Promise<void> {
    await this.connection.db!.admin().ping()
  }

  /**
   * Runs `work` as one transaction where the deployment has them (retried whole on a
   * transient conflict, so it must only write through the models); elsewhere as it is, and
   * the operation's own order and repair keep the rules.
   */
  async atomically<T> (work: () => Promise<T>): Promise<T> {
    if (!this.transactions) return await work()
    let result: T
    await this.connection.transaction(async () => { result = await work() })
    return result!
  }

  /** After each write of a multi-write operation: a test's fault plan may crash here. */
  wrote (): void {
    this.options.faults?.wrote()
  }
}


/** What every mongodb part is: a view of one aggregate over the shared connection. */
export class MongoPart {
  constructor (protected readonly db: MongoConnection) {}
  protected get m (): Models { return this.db.m }
}

/** A user's text as a literal, case-insensitive pattern (searches). */
export const containing = (text: string): RegExp => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')
