import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { fileKeyOf, safeFileName, type FileMeta, type FileStore, type StoredFile } from './files.js'

/** Files on the hub's own disk: `<dir>/<key>` and its `<key>.json` description. */
export class LocalFileStore implements FileStore {
  private readonly dir: string
  private ready: Promise<unknown> | undefined

  constructor (dir: string) {
    this.dir = dir
  }

  async put (data: Buffer, meta: { name: string, mimeType: string }): Promise<StoredFile> {
    // Made once; a failure (a full or read-only disk) is tried again on the next file.
    this.ready ??= mkdir(this.dir, { recursive: true }).catch(err => { this.ready = undefined; throw err })
    await this.ready
    const key = randomBytes(20).toString('hex')
    const stored: FileMeta = { name: safeFileName(meta.name), mimeType: meta.mimeType, size: data.length }
    // Written under a temporary name and renamed: a reader never sees half a file.
    const path = join(this.dir, key)
    await writeFile(`${path}.part`, data)
    await writeFile(`${path}.json`, JSON.stringify(stored))
    await rename(`${path}.part`, path)
    return { url: `/files/${key}/${encodeURIComponent(stored.name)}`, ...stored }
  }

  private async meta (key: string): Promise<FileMeta | null> {
    if (!/^[0-9a-f]{40}$/.test(key)) return null
    try {
      return JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')) as FileMeta
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }

  async open (key: string): Promise<{ meta: FileMeta, stream: Readable } | null> {
    const meta = await this.meta(key)
    return meta === null ? null : { meta, stream: createReadStream(join(this.dir, key)) }
  }

  async read (url: string): Promise<{ meta: FileMeta, data: Buffer } | null> {
    const key = fileKeyOf(url)
    const meta = key === null ? null : await this.meta(key)
    return meta === null ? null : { meta, data: await readFile(join(this.dir, key!)) }
  }
}
