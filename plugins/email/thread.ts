import type { ChannelKv } from '../../core/channels/index.js'

/**
 * How mail finds its conversation. Outbound mail carries three handles a reply can bring back:
 * a Message-ID naming the conversation, In-Reply-To/References, and (with plus-addressing) a
 * Reply-To token. Any one of them is enough; clients drop different ones.
 */

const ULID = '[0-9A-HJKMNP-TV-Z]{26}'
const OWN_ID = new RegExp(`^<(${ULID})\\.(${ULID})@`, 'i')

/** Message-ID of an outbound message: `<message id.conversation id@domain>`. */
export function ownMessageId (messageId: string, conversationId: string, domain: string): string {
  return `<${messageId}.${conversationId}@${domain}>`
}

/** The conversation named by one of the hub's own Message-IDs, or null. */
export function conversationOfMessageId (messageId: string): string | null {
  return OWN_ID.exec(messageId)?.[2]?.toUpperCase() ?? null
}

/** The token in `local+<token>@domain` is the conversation id, lowercased (addresses are folded by some servers). */
export function replyAddress (address: string, conversationId: string, plusAddressing: boolean): string {
  if (!plusAddressing) return address
  const [local, domain] = splitAddress(address)
  return `${local}+${conversationId.toLowerCase()}@${domain}`
}

/** The conversation id in a recipient address of ours with a token, or null. */
export function tokenOf (recipient: string, address: string): string | null {
  const [local, domain] = splitAddress(address)
  const [rLocal, rDomain] = splitAddress(recipient)
  if (rDomain.toLowerCase() !== domain.toLowerCase()) return null
  const prefix = `${local.toLowerCase()}+`
  if (!rLocal.toLowerCase().startsWith(prefix)) return null
  const token = rLocal.slice(prefix.length)
  return new RegExp(`^${ULID}$`, 'i').test(token) ? token.toUpperCase() : null
}

function splitAddress (address: string): [string, string] {
  const at = address.lastIndexOf('@')
  return [address.slice(0, at), address.slice(at + 1)]
}

/** `Re: Fwd: 回复: [Ticket] Order  42` → `order 42`: what a same-subject match compares. */
export function normalizeSubject (subject: string): string {
  let s = subject.normalize('NFKC').trim()
  const prefix = /^(re|fw|fwd|aw|sv|vs|antw|答复|回复|回覆|转发|轉寄)\s*(\[\d+\])?\s*:\s*/i
  for (let previous = ''; previous !== s;) {
    previous = s
    s = s.replace(prefix, '').trim()
  }
  return s.replace(/\s+/g, ' ').toLowerCase()
}

/** `Re: <subject>`, without stacking prefixes. */
export function replySubject (subject: string): string {
  return /^re\s*:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`
}

/** RFC 5322 advises keeping the first reference and the most recent ones when trimming. */
const MAX_REFERENCES = 20
export function trimReferences (ids: string[]): string[] {
  const unique = [...new Set(ids)]
  return unique.length <= MAX_REFERENCES ? unique : [unique[0]!, ...unique.slice(-(MAX_REFERENCES - 1))]
}

/** What outbound mail of one conversation needs to thread: kept in the channel's key-value. */
export interface ThreadState {
  subject: string
  /** The Message-ID a reply answers: the customer's last mail, else our last one. */
  parent: string | null
  /** The thread's Message-IDs, oldest first. */
  references: string[]
  /** True once the customer has written by email here. */
  customerWrote: boolean
}

/** RFC 5322: In-Reply-To the parent, References the thread ending with the parent. */
export function threadHeaders (state: ThreadState | null): { inReplyTo: string | null, references: string[] } {
  if (state === null || state.parent === null) return { inReplyTo: null, references: state?.references ?? [] }
  return { inReplyTo: state.parent, references: [...state.references.filter(r => r !== state.parent), state.parent] }
}

/** The headers of a reply to one mail of the thread (an agent quoted it): In-Reply-To it, References ending with it. */
export function answering (state: ThreadState | null, messageId: string): { inReplyTo: string, references: string[] } {
  return { inReplyTo: messageId, references: [...(state?.references ?? []).filter(r => r !== messageId), messageId] }
}

export class Threads {
  private readonly kv: ChannelKv

  constructor (kv: ChannelKv) {
    this.kv = kv
  }

  async get (conversationId: string): Promise<ThreadState | null> {
    const raw = await this.kv.get(`thread:${conversationId}`)
    return raw === null ? null : JSON.parse(raw) as ThreadState
  }

  /** A customer's mail joined (or opened) the conversation. */
  async inbound (conversationId: string, mail: { messageId: string, references: string[], subject: string }): Promise<void> {
    const state = await this.get(conversationId)
    await this.save(conversationId, {
      subject: state?.subject !== undefined && state.subject !== '' ? state.subject : mail.subject,
      parent: mail.messageId,
      references: trimReferences([...(state?.references ?? []), ...mail.references, mail.messageId]),
      customerWrote: true
    })
  }

  /** We sent mail in the conversation. */
  async outbound (conversationId: string, mail: { messageId: string, subject: string }): Promise<void> {
    const state = await this.get(conversationId)
    await this.save(conversationId, {
      subject: state?.subject ?? mail.subject,
      parent: state?.customerWrote === true ? state.parent : mail.messageId,
      references: trimReferences([...(state?.references ?? []), mail.messageId]),
      customerWrote: state?.customerWrote ?? false
    })
  }

  private async save (conversationId: string, state: ThreadState): Promise<void> {
    await this.kv.set(`thread:${conversationId}`, JSON.stringify(state))
  }

  /** The last mail we sent to an address: a bounce that names nothing else is matched by its recipient. */
  async sentTo (recipient: string, messageId: string, at: Date): Promise<void> {
    await this.kv.set(`sent:${recipient.toLowerCase()}`, JSON.stringify({ messageId, at: at.getTime() }))
  }

  /** The Message-ID of our last mail to an address within `days` before `now`, or null. */
  async lastSentTo (recipient: string, now: Date, days: number): Promise<string | null> {
    const raw = await this.kv.get(`sent:${recipient.toLowerCase()}`)
    if (raw === null) return null
    const { messageId, at } = JSON.parse(raw) as { messageId: string, at: number }
    return at <= now.getTime() && now.getTime() - at <= days * 86_400_000 ? messageId : null
  }

  /** Remembers sender + subject for the same-subject match. */
  async rememberSubject (sender: string, subject: string, conversationId: string, at: Date): Promise<void> {
    const key = normalizeSubject(subject)
    if (key === '') return
    await this.kv.set(`subject:${sender.toLowerCase()}:${key}`, JSON.stringify({ conversationId, at: at.getTime() }))
  }

  async bySubject (sender: string, subject: string, now: Date, days: number): Promise<string | null> {
    const key = normalizeSubject(subject)
    if (days === 0 || key === '') return null
    const raw = await this.kv.get(`subject:${sender.toLowerCase()}:${key}`)
    if (raw === null) return null
    const { conversationId, at } = JSON.parse(raw) as { conversationId: string, at: number }
    return now.getTime() - at <= days * 86_400_000 ? conversationId : null
  }
}
