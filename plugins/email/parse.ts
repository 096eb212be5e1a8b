import { createHash } from 'node:crypto'
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser'
import sanitizeHtml from 'sanitize-html'
import type { ChannelFiles } from '../../core/channels/index.js'
import { attachmentOf } from '../../core/files/index.js'
import type { Attachment } from '../../core/model/index.js'
import { classify, type MailKind } from './classify.js'
import { messageIds } from './message-ids.js'
import { trimReply } from './quote.js'

/** One fetched mail, decoded (any charset, encoded words, QP/base64) and ready to thread. */
export interface Email {
  /** The Message-ID, or a digest of the source for mail without one: the dedupe key either way. */
  messageId: string
  inReplyTo: string | null
  references: string[]
  from: { address: string, name?: string }
  /** Every address the mail was sent to (To, Cc, Delivered-To): where a reply token may be. */
  recipients: string[]
  subject: string
  date: Date | null
  /** What agents read: quoted history and signature trimmed. */
  text: string
  fullText: string
  html: string | null
  kind: MailKind
  parsed: ParsedMail
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field === undefined ? [] : [field]).flatMap(a => a.value).flatMap(v => v.address !== undefined && v.address !== '' ? [v.address] : [])


export async function parseEmail (source: Buffer): Promise<Email> {
  const parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true })
  const end = source.indexOf('\r\n\r\n')
  const rawHeaders = source.subarray(0, end === -1 ? Math.min(source.length, 65536) : end).toString('latin1')
  const fullText = (parsed.text ?? '').trim()
  const delivered = [parsed.headers.get('delivered-to'), parsed.headers.get('x-original-to')].flatMap(v => typeof v === 'string' ? [v.replace(/^<|>$/g, '')] : [])
  const from = parsed.from?.value[0]
  return {
    messageId: messageIds(parsed.messageId)[0] ?? `<sha256.${createHash('sha256').update(source).digest('hex')}@omnihub.invalid>`,
    inReplyTo: messageIds(parsed.inReplyTo)[0] ?? null,
    references: messageIds(parsed.references),
    from: { address: (from?.address ?? '').toLowerCase(), ...(from?.name !== undefined && from.name !== '' ? { name: from.name } : {}) },
    recipients: [...addresses(parsed.to), ...addresses(parsed.cc), ...delivered],
    subject: parsed.subject ?? '',
    date: parsed.date ?? null,
    text: trimReply(fullText),
    fullText,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    kind: classify(parsed, rawHeaders),
    parsed
  }
}

/** Parts that are part of a report, not files a person attached. */
const REPORT_PARTS = new Set(['message/delivery-status', 'text/rfc822-headers', 'message/disposition-notification'])

/**
 * Keeps the mail's attachments and inline images in the hub's file store, and returns the HTML
 * body sanitized for agents with inline images (`cid:`) pointing at the stored copies.
 */
export async function storeParts (email: Email, files: ChannelFiles): Promise<{ attachments: Attachment[], html: string | null }> {
  const attachments: Attachment[] = []
  const byCid = new Map<string, string>()
  for (const part of email.parsed.attachments) {
    if (REPORT_PARTS.has(part.contentType.toLowerCase())) continue
    const name = part.filename ?? (part.contentType === 'message/rfc822' ? 'message.eml' : 'attachment')
    const stored = await files.put(part.content, { name, mimeType: part.contentType })
    attachments.push(attachmentOf(stored))
    if (part.cid !== undefined) byCid.set(part.cid.replace(/^<|>$/g, ''), stored.url)
  }
  return { attachments, html: email.html === null ? null : sanitizeForAgents(email.html, byCid) }
}

/** Mail HTML is hostile until proven otherwise: no scripts, no forms, no remote tracking pixels. */
export function sanitizeForAgents (html: string, inline: Map<string, string> = new Map()): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center', 'span'],
    allowedAttributes: {
      ...sanitizeHtml.defaults.allowedAttributes,
      img: ['src', 'alt', 'width', 'height'],
      a: ['href', 'name', 'target', 'rel'],
      // No style: CSS can fetch remote images too.
      '*': ['align', 'colspan', 'rowspan'],
      font: ['color', 'size']
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: [] },
    allowProtocolRelative: false,
    transformTags: {
      // Inline images point at the stored copy; any other image source is dropped (tracking pixels).
      img: (tagName, attribs) => {
        const cid = /^cid:(.+)$/i.exec(attribs.src ?? '')?.[1]
        const src = cid !== undefined ? inline.get(cid) : undefined
        return src !== undefined ? { tagName, attribs: { ...attribs, src } } : { tagName: 'span', attribs: {}, text: attribs.alt ?? '' }
      },
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } })
    }
  })
}
