/** A driver's connection: opened once per process, closed at stop. */
export interface StoreLifecycle {
  readonly driver: 'sqlite' | 'mongodb'
  /** Connects and brings the schema (tables, indexes) up to date; store_too_new when it was written by a newer Omnihub. */
  open (): Promise<void>
  close (): Promise<void>
  /** Throws when the store cannot answer. */
  ping (): Promise<void>
}
