import type { webApi } from '@slack/bolt'
import type { DeskContext, DeskRelay } from '../../core/desks/index.js'
import type { Contact, Conversation, Message } from '../../core/model/index.js'
import { parentMessage, suggestionsMessage, threadText } from './blocks.js'
import { slackChannelFor, type SlackDeskConfig } from './config.js'
import { clip, escapeMrkdwn } from './mrkdwn.js'

/**
 * A conversation's thread as the desk last left it. Messages are read again from a little
 * before the newest one relayed (ids made on other processes may land out of time order), and
 * `recent` says which of those are already in the thread.
 */
interface ThreadState {
  channel: string
  ts: string
  /** The message the parent shows. */
  first: string
  /** What the parent shows of the conversation's state; it is updated when this changes. */
  shows: string
  lastAt: number
  recent: Array<[id: string, at: number]>
  /** Failed replies written here, already told. */
  failedTold?: string[]
}

const OVERLAP_MS = 5000
const BATCH = 100

export const threadKey = (channel: string, ts: string): string => `thread:${channel}:${ts}`

export class SlackRelay {
  private constructor (
    private readonly ctx: DeskContext,
    private readonly client: webApi.WebClient,
    private readonly config: SlackDeskConfig,
    /** Conversations are relayed from their first customer message after this time (when the desk was first enabled). */
    private readonly watchingSince: number
  ) {}

  static async open (ctx: DeskContext, client: webApi.WebClient, config: SlackDeskConfig): Promise<SlackRelay> {
    await ctx.kv.setIfAbsent('watching-since', String(ctx.clock().getTime()))
    return new SlackRelay(ctx, client, config, Number(await ctx.kv.get('watching-since')))
  }

  async relay (job: DeskRelay): Promise<void> {
    const conversation = await this.ctx.getConversation(job.conversationId)
    if (conversation === null) return
    let state = await this.state(conversation.id)
    const channel = state?.channel ?? slackChannelFor(this.config, conversation)
    if (channel === null) return
    // Read at most once a job, and only when something is posted: the parent and every line name the customer.
    let read: Promise<Contact | null> | undefined
    const contact = async (): Promise<Contact | null> => await (read ??= this.ctx.getContact(conversation.contactId))
    const started = state === null
    state ??= await this.postParent(conversation, contact, channel)
    if (state === null) return
    const newest = await this.postNewMessages(conversation, contact, state) ?? (started ? await this.ctx.getMessage(state.first) : null)
    if (newest?.direction === 'inbound') await this.suggest(conversation, state)
    await this.updateParent(conversation, contact, state)
    if (job.messageId !== undefined) await this.tellFailure(conversation, state, job.messageId)
  }

  private async state (conversationId: string): Promise<ThreadState | null> {
    const raw = await this.ctx.kv.get(`conv:${conversationId}`)
    return raw === null ? null : JSON.parse(raw) as ThreadState
  }

  private async save (conversationId: string, state: ThreadState): Promise<void> {
    state.recent = state.recent.filter(([, at]) => at >= state.lastAt - OVERLAP_MS)
    await this.ctx.kv.set(`conv:${conversationId}`, JSON.stringify(state))
  }

  /** The thread starts at the conversation's first customer message since the desk began watching. */
  private async postParent (conversation: Conversation, contact: () => Promise<Contact | null>, channel: string): Promise<ThreadState | null> {
    const { watchingSince } = this
    const since = new Date(Math.max(watchingSince, conversation.createdAt.getTime()) - OVERLAP_MS)
    const first = (await this.ctx.messagesSince(conversation.id, since, { limit: BATCH })).items.find(m => m.direction === 'inbound' && m.createdAt.getTime() >= watchingSince)
    if (first === undefined) return null
    const view = await this.parentView(conversation, contact, first)
    const posted = await this.client.chat.postMessage({ channel, ...parentMessage(view), unfurl_links: false, unfurl_media: false })
    const state: ThreadState = { channel, ts: posted.ts!, first: first.id, shows: this.shows(conversation), lastAt: first.createdAt.getTime(), recent: [[first.id, first.createdAt.getTime()]] }
    await this.ctx.kv.set(threadKey(channel, state.ts), conversation.id)
    await this.save(conversation.id, state)
    this.ctx.logger.info({ conversationId: conversation.id, slackChannel: channel, ts: state.ts }, 'slack thread started')
    return state
  }

  /** Everything after the parent, in the conversation's order (what agents wrote in this thread is there already); the newest, if any. */
  private async postNewMessages (conversation: Conversation, contact: () => Promise<Contact | null>, state: ThreadState): Promise<Message | null> {
    const since = new Date(state.lastAt - OVERLAP_MS)
    let cursor: string | undefined
    let last: Message | null = null
    do {
      const page = await this.ctx.messagesSince(conversation.id, since, { limit: BATCH, ...(cursor !== undefined ? { cursor } : {}) })
      const done = new Set(state.recent.map(([id]) => id))
      for (const message of page.items.filter(m => !done.has(m.id))) {
        if (message.extras?.via !== this.ctx.deskId) {
          await this.client.chat.postMessage({ channel: state.channel, thread_ts: state.ts, text: threadText(message, await this.authorLabel(conversation, contact, message), this.ctx.fileLink), unfurl_links: false, unfurl_media: false })
        }
        last = message
        const at = message.createdAt.getTime()
        state.recent.push([message.id, at])
        state.lastAt = Math.max(state.lastAt, at)
        // Saved after each post: a retry after a failure does not post the same message twice.
        await this.save(conversation.id, state)
      }
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return last
  }

  /** The customer asked something a person will answer: the FAQ's answers under it, a click away. */
  private async suggest (conversation: Conversation, state: ThreadState): Promise<void> {
    if (conversation.status !== 'unassigned' && conversation.status !== 'assigned') return
    const suggestions = await this.ctx.suggestions(conversation.id)
    if (suggestions.length > 0) await this.client.chat.postMessage({ channel: state.channel, thread_ts: state.ts, ...suggestionsMessage(conversation.id, suggestions) })
  }

  private async updateParent (conversation: Conversation, contact: () => Promise<Contact | null>, state: ThreadState): Promise<void> {
    const shows = this.shows(conversation)
    if (shows === state.shows) return
    const first = await this.ctx.getMessage(state.first)
    if (first === null) return
    await this.client.chat.update({ channel: state.channel, ts: state.ts, ...parentMessage(await this.parentView(conversation, contact, first)) })
    state.shows = shows
    await this.save(conversation.id, state)
  }

  /** A reply written in this thread failed on its channel: the thread hears why, once. */
  private async tellFailure (conversation: Conversation, state: ThreadState, messageId: string): Promise<void> {
    const message = await this.ctx.getMessage(messageId)
    if (message === null || message.status !== 'failed' || message.extras?.via !== this.ctx.deskId || state.failedTold?.includes(message.id) === true) return
    await this.client.chat.postMessage({
      channel: state.channel,
      thread_ts: state.ts,
      text: `:warning: Not delivered to the customer: ${escapeMrkdwn(message.errorMessage ?? message.errorCode ?? 'the channel refused it')} — <${this.ctx.inboxUrl(conversation.id)}|retry it from the inbox>.\n>${escapeMrkdwn(clip(message.text, 200))}`
    })
    state.failedTold = [...(state.failedTold ?? []), message.id].slice(-50)
    await this.save(conversation.id, state)
  }

  private shows (conversation: Conversation): string {
    return `${conversation.status}|${conversation.assigneeId ?? ''}|${conversation.moodAlertAt !== null ? 'upset' : ''}|${conversation.rating?.score ?? (conversation.ratingInvitedAt !== null ? 'asked' : '')}`
  }

  private async parentView (conversation: Conversation, contact: () => Promise<Contact | null>, first: Message): Promise<Parameters<typeof parentMessage>[0]> {
    const [person, assignee] = await Promise.all([contact(), conversation.assigneeId !== null ? this.ctx.getAgent(conversation.assigneeId) : null])
    const channel = this.ctx.channel(conversation.channelId)
    return {
      conversationId: conversation.id,
      contactName: person?.name ?? person?.email ?? 'A customer',
      contactEmail: person?.email ?? null,
      channelLabel: channel === null ? conversation.channelId : `${channel.id} (${channel.plugin})`,
      first,
      status: conversation.status,
      assigneeName: assignee?.name ?? null,
      upset: conversation.moodAlertAt !== null,
      rating: conversation.rating?.score ?? null,
      ratingAsked: conversation.ratingInvitedAt !== null,
      inboxUrl: this.ctx.inboxUrl(conversation.id),
      fileLink: this.ctx.fileLink
    }
  }

  private async authorLabel (conversation: Conversation, contact: () => Promise<Contact | null>, message: Message): Promise<string> {
    if (message.author.type === 'contact') {
      const person = await contact()
      const name = `*${escapeMrkdwn(person?.name ?? person?.email ?? 'Customer')}*`
      return message.direction === 'note' ? `:robot_face: ${name} (automatic reply)` : name
    }
    const agent = message.author.type === 'agent' && message.author.id !== null ? await this.ctx.getAgent(message.author.id) : null
    const who = `*${escapeMrkdwn(agent?.name ?? (message.author.type === 'bot' ? 'Bot' : 'Omnihub'))}*`
    if (message.direction === 'note') return `:memo: ${who} (internal note)`
    return `:speech_balloon: ${who} replied${message.channelId !== conversation.channelId ? ` on ${escapeMrkdwn(message.channelId)}` : ''}`
  }
}
