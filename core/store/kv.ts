/** Plugins' and features' own small values (cursors, markers, one-time codes), per namespace. */
export interface KeyValueStore {
  kvGet (namespace: string, key: string): Promise<string | null>
  kvSet (namespace: string, key: string, value: string): Promise<void>
  kvDelete (namespace: string, key: string): Promise<void>
  /** Sets the value unless the key exists; true when this call set it (of concurrent callers, exactly one). */
  kvSetIfAbsent (namespace: string, key: string, value: string): Promise<boolean>
  /** Reads and deletes in one step: of two concurrent takers, one gets the value (one-time codes). */
  kvTake (namespace: string, key: string): Promise<string | null>
}
