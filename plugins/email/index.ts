import { ChannelSendError, defineChannel, type ChannelContext, type InboundMessage } from '../../core/channels/index.js'
import type { Contact, Message, SuppressionReason } from '../../core/model/index.js'
import { Mailbox } from './mailbox.js'
import { Outbox } from './outbound.js'
import type { MailKind } from './classify.js'
import { parseEmail, storeParts, type Email } from './parse.js'
import { composeReply } from './compose.js'
import { ADDRESS, EmailSettings, settingsProblems, type EmailConfig } from './settings.js'
import { verpAddress, verpMessageIds } from './verp.js'
import { answering, conversationOfMessageId, ownMessageId, replyAddress, replySubject, Threads, threadHeaders, tokenOf } from './thread.js'

/** Machine mail that is kept even when it answers nothing of ours. */
const KEPT_APART = new Set<string>(['bulk', 'list', 'machine_sender'])
/** Automated mail counted as auto-replies (out-of-office, vacation). */
const AUTO_REPLIES = new Set<string>(['auto_submitted', 'autoreply'])
/** For this long after sending, a bounce that names no mail is matched to our last mail to its recipient. */
const BOUNCE_MATCH_DAYS = 7
const COUNTERS = ['bounce', 'delivery_delayed', 'complaint', 'auto_reply'] as const

interface MachineNote {
  conversationId?: string | undefined
  automated: string
  text: string
  counter?: typeof COUNTERS[number]
  suppression?: { reason: SuppressionReason, detail: string | null }
}

/** A support mailbox as a channel: IMAP in, SMTP out, replies threaded back into their conversation. */
export default defineChannel({
  name: 'email',
  configSchema: EmailSettings,
  capabilities: {
    text: true, images: true, files: true, cards: false, typing: false, readReceipts: false,
    maxTextLength: 100_000, maxAttachments: 10
  },
  counters: COUNTERS,
  secretSettings: ['imap.password', 'imap.accessToken', 'smtp.password', 'smtp.accessToken', 'smtp.dkim.privateKey'],
  validate: settingsProblems,

  create (config: EmailConfig, ctx: ChannelContext) {
    const domain = config.address.slice(config.address.lastIndexOf('@') + 1)
    const returnPath = config.bounces.address ?? config.address
    const verp = config.bounces.verp ?? config.plusAddressing
    const threads = new Threads(ctx.kv)
    // A pooled transport opens no connection until the first send.
    const outbox = new Outbox(config)

    /** The conversation of the newest stored message among these Message-IDs, else of one of the hub's own ids. */
    const conversationOfIds = async (ids: string[]): Promise<string | undefined> => {
      const stored = await ctx.findMessages(ids)
      const latest = stored.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).at(-1)
      if (latest !== undefined) return latest.conversationId
      for (const id of ids) {
        const own = conversationOfMessageId(id)
        if (own !== null && await ctx.getConversation(own) !== null) return own
      }
      return undefined
    }

    /**
     * A reply to an older mail of the thread than the latest (In-Reply-To names it) quotes it:
     * agents see which mail the customer answered. A reply to the latest one is just the thread.
     */
    const quoteOf = async (email: Email, conversationId: string | undefined): Promise<NonNullable<Message['extras']>['quote'] | null> => {
      if (email.inReplyTo === null || conversationId === undefined || (await threads.get(conversationId))?.parent === email.inReplyTo) return null
      const [answered] = await ctx.findMessages([email.inReplyTo])
      return answered === undefined ? null : { messageId: answered.id, externalId: email.inReplyTo, text: answered.text }
    }

    /** In order: the reply token, then any Message-ID the hub knows, then (if on) sender + subject. */
    const conversationFor = async (email: Email): Promise<string | undefined> => {
      for (const recipient of email.recipients) {
        const token = tokenOf(recipient, config.address)
        if (token !== null && await ctx.getConversation(token) !== null) return token
      }
      const ids = [...new Set([...(email.inReplyTo !== null ? [email.inReplyTo] : []), ...email.references])]
      return await conversationOfIds(ids) ?? await threads.bySubject(email.from.address, email.subject, ctx.clock(), config.threadBySubjectDays) ?? undefined
    }

    /**
     * The mail of ours a bounce or report is about, most certain first: the VERP envelope, the
     * returned copy's ids, then (when neither names a stored mail) our last mail to the recipient.
     */
    const about = async (email: Email, returned: string[], recipient: string | null): Promise<{ message?: Message, conversationId?: string }> => {
      const named = [...verpMessageIds(email, returnPath, domain), ...returned]
      const last = recipient === null ? null : await threads.lastSentTo(recipient, ctx.clock(), BOUNCE_MATCH_DAYS)
      for (const ids of [named, last === null ? [] : [last]]) {
        const stored = (await ctx.findMessages(ids)).filter(m => m.direction === 'outbound')
        const message = ids.flatMap(id => stored.filter(m => m.externalId === id))[0]
        if (message !== undefined) return { message, conversationId: message.conversationId }
        const conversationId = await conversationOfIds(ids)
        if (conversationId !== undefined) return { conversationId }
      }
      return {}
    }

    /** What a machine mail says, as a note for agents; where it belongs; what it tells about the contact. */
    const machineNote = async (email: Email, kind: Exclude<MailKind, { kind: 'customer' }>): Promise<MachineNote> => {
      if (kind.kind === 'bounce') {
        const { message, conversationId } = await about(email, kind.returnedIds, kind.recipient)
        const detail = [kind.recipient, kind.status, kind.diagnostic].filter(v => v !== null).join(' ')
        if (kind.action === 'delayed') {
          return { conversationId, automated: 'delivery_delayed', counter: 'delivery_delayed', text: `Delivery delayed; the server is still trying${detail !== '' ? `: ${detail}` : ''}` }
        }
        if (message?.externalId != null) {
          await ctx.outboundFailed(message.externalId, { code: 'bounced', message: `The mail was returned by the recipient's server${detail !== '' ? `: ${detail}` : '.'}` })
        }
        return {
          conversationId, automated: 'bounce', counter: 'bounce', text: `Delivery failed${detail !== '' ? `: ${detail}` : ''}`,
          suppression: { reason: 'undeliverable', detail: detail !== '' ? detail : null }
        }
      }
      if (kind.kind === 'feedback') {
        const { conversationId } = await about(email, kind.returnedIds, kind.recipient)
        return {
          conversationId, automated: 'complaint', counter: 'complaint', text: `${kind.recipient ?? 'The recipient'} reported our mail as ${kind.feedbackType}`,
          suppression: { reason: 'complained', detail: kind.feedbackType }
        }
      }
      return { conversationId: await conversationFor(email), automated: kind.reason, text: email.text, ...(AUTO_REPLIES.has(kind.reason) ? { counter: 'auto_reply' as const } : {}) }
    }

    const receive = async (source: Buffer): Promise<void> => {
      const email = await parseEmail(source)
      const { kind } = email
      const sender = email.from.address !== '' ? email.from.address : 'mailer-daemon'
      const from = { externalId: sender, ...(ADDRESS.test(sender) ? { email: sender } : {}), ...(email.from.name !== undefined ? { name: email.from.name } : {}) }
      const extras = (html: string | null, automated?: string): NonNullable<InboundMessage['extras']> => ({
        subject: email.subject,
        ...(html !== null ? { html } : {}),
        ...(email.fullText !== email.text ? { fullText: email.fullText } : {}),
        ...(automated !== undefined ? { automated } : {})
      })
      if (kind.kind !== 'customer') {
        // Machine mail never opens a conversation, is never routed or answered: a note where it belongs, or nothing.
        const note = await machineNote(email, kind)
        // Lists and no-reply senders (newsletters, notices) are kept out of the way in a closed conversation of their own;
        // a bounce, a complaint or an auto-reply only makes sense beside the mail it is about.
        const ownThread = note.conversationId === undefined && kind.kind === 'automated' && KEPT_APART.has(kind.reason)
        ctx.logger.info({ kind: kind.kind, automated: note.automated, matched: note.conversationId !== undefined }, 'machine mail received')
        if (note.conversationId === undefined && !ownThread) {
          if (note.counter !== undefined) await ctx.count(note.counter)
          return
        }
        // Marked before the note is stored, so a crash between them leaves nothing for the redelivery to miss.
        if (note.conversationId !== undefined && note.suppression !== undefined) await ctx.suppressContact(note.conversationId, note.suppression)
        const { attachments, html } = await storeParts(email, ctx.files)
        const outcome = await ctx.ingest({
          externalId: email.messageId, from, text: note.text, attachments, extras: extras(html, note.automated), direction: 'note',
          ...(note.conversationId !== undefined ? { conversationId: note.conversationId } : { thread: email.messageId }),
          ...(email.date !== null ? { sentAt: email.date } : {})
        })
        // A no-reply sender's own conversation is theirs: nothing automatic ever answers it.
        if (ownThread && kind.reason === 'machine_sender') await ctx.suppressContact(outcome.conversationId, { reason: 'machine', detail: null })
        if (!outcome.duplicate && note.counter !== undefined) await ctx.count(note.counter)
        return
      }
      const conversationId = await conversationFor(email)
      const { attachments, html } = await storeParts(email, ctx.files)
      const quote = await quoteOf(email, conversationId)
      const message: InboundMessage = {
        externalId: email.messageId,
        from,
        text: email.text,
        attachments,
        extras: { ...extras(html), ...(quote !== null ? { quote } : {}) },
        ...(email.date !== null ? { sentAt: email.date } : {}),
        // Unmatched mail is a new thread: the same person may have several open subjects at once.
        ...(conversationId !== undefined ? { conversationId } : { thread: email.messageId })
      }
      const outcome = await ctx.ingest(message)
      if (outcome.duplicate) return
      await threads.inbound(outcome.conversationId, { messageId: email.messageId, references: email.references, subject: email.subject })
      await threads.rememberSubject(sender, email.subject, outcome.conversationId, ctx.clock())
      // They wrote from this address: an earlier bounce no longer stops automatic replies.
      await ctx.suppressContact(outcome.conversationId, null)
    }

    const mailbox = new Mailbox({
      imap: config.imap,
      processed: config.processed,
      kv: ctx.kv,
      logger: ctx.logger,
      reportHealth: ctx.reportHealth,
      deliver: receive,
      known: async ids => new Set((await ctx.findMessages(ids)).flatMap(m => m.externalId ?? []))
    })

    const recipient = (contact: Contact): string | null => {
      const identity = contact.identities.find(i => i.channelId === ctx.channelId)?.externalId
      if (identity !== undefined && ADDRESS.test(identity)) return identity
      return contact.email !== null && ADDRESS.test(contact.email) ? contact.email : null
    }

    return {
      async start () {
        mailbox.start()
      },

      async stop () {
        await mailbox.stop()
        outbox.close()
      },

      // Email has no reply window; the capabilities already bound length and attachments.
      policy: () => ({ verdict: 'allow' }),

      recipient,

      async send ({ conversation, contact, message, author }) {
        const to = recipient(contact)
        if (to === null) throw new ChannelSendError('no_recipient', 'This contact has no email address; add one to the contact to answer by email.', { retryable: false })
        const state = await threads.get(conversation.id)
        const subject = state !== null && state.subject !== '' ? replySubject(state.subject) : config.subject.replaceAll('{fromName}', config.fromName)
        // A quoted mail is the one this reply answers: In-Reply-To that mail, and it is quoted under the reply.
        const quoted = message.extras?.quote?.externalId != null ? (await ctx.findMessages([message.extras.quote.externalId]))[0] : undefined
        const parent = quoted ?? (state?.parent !== null && state?.parent !== undefined && state.customerWrote && config.quoteHistory
          ? (await ctx.findMessages([state.parent]))[0]
          : undefined)
        const attachments = await Promise.all(message.attachments.map(async a => {
          const file = await ctx.files.read(a.url)
          return { filename: a.name ?? file.meta.name, content: file.data, contentType: a.mimeType ?? file.meta.mimeType }
        }))
        const messageId = ownMessageId(message.id, conversation.id, domain)
        const wrote = parent?.direction === 'outbound' ? config.fromName : contact.name ?? to
        const body = composeReply(message.text, parent === undefined ? null : { text: parent.text, at: parent.sentAt ?? parent.createdAt, from: wrote }, author?.signature ?? null)
        await outbox.send({
          to,
          returnPath: verp ? verpAddress(returnPath, message.id, conversation.id) : returnPath,
          replyTo: replyAddress(config.address, conversation.id, config.plusAddressing),
          subject,
          ...body,
          messageId,
          ...(quoted?.externalId != null ? answering(state, quoted.externalId) : threadHeaders(state)),
          attachments,
          automated: message.author.type !== 'agent'
        })
        await threads.outbound(conversation.id, { messageId, subject })
        await threads.sentTo(to, messageId, ctx.clock())
        return { externalId: messageId }
      }
    }
  }
})
