import type { Readable } from 'node:stream'
import type { Attachment } from '../model/index.js'

/** A file the hub keeps (an email's attachment, a visitor's upload), as messages refer to it. */
export interface StoredFile {
  /** Hub-relative URL, `/files/<key>/<name>`: the key is random, so the URL is the permission to read it. */
  url: string
  name: string
  mimeType: string
  size: number
}

export interface FileMeta {
  name: string
  mimeType: string
  size: number
}

/** Where attachments live. `local` keeps them on disk; a shared driver (S3, GridFS) fits here for scale-out. */
export interface FileStore {
  put (data: Buffer, meta: { name: string, mimeType: string }): Promise<StoredFile>
  /** The file behind a key, or null when there is none. */
  open (key: string): Promise<{ meta: FileMeta, stream: Readable } | null>
  /** The bytes behind a URL this store made; null for any other URL. */
  read (url: string): Promise<{ meta: FileMeta, data: Buffer } | null>
}

const URL_PATTERN = /^\/files\/([0-9a-z]{40})\//

/** The key inside a hub file URL, or null when the URL is not one. */
export function fileKeyOf (url: string): string | null {
  return URL_PATTERN.exec(url)?.[1] ?? null
}

/** File names end up in URLs and Content-Disposition: keep them printable and short. */
export function safeFileName (name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\]+/g, '_').trim().slice(-120)
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned
}

/** A hub file URL without the signature a link carries: what messages keep. */
export const plainUrl = (url: string): string => url.split('?')[0]!

/** A stored file as a message's attachment, its kind from its type. */
export function attachmentOf (stored: StoredFile): Attachment {
  const type = stored.mimeType
  const kind = type.startsWith('image/') ? 'image' : type.startsWith('video/') ? 'video' : type.startsWith('audio/') ? 'audio' : 'file'
  return { kind, url: stored.url, name: stored.name, mimeType: stored.mimeType, size: stored.size }
}

/** An upload's file name from its URL-encoded X-File-Name header; `file` when absent or undecodable. */
export function uploadedFileName (header: unknown): string {
  try {
    return decodeURIComponent(String(header ?? 'file'))
  } catch {
    return 'file'
  }
}
