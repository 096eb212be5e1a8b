import { randomUUID } from 'node:crypto'
import type { App, webApi } from '@slack/bolt'
import type { DeskContext } from '../../core/desks/index.js'
import { HubError } from '../../core/errors.js'
import { userError } from '../../core/pipeline/store-errors.js'
import type { Agent, Attachment } from '../../core/model/index.js'
import { ACTIONS, refusal } from './blocks.js'
import { plainFromSlack } from './mrkdwn.js'
import { howToLink, type SlackPeople } from './people.js'
import { threadKey } from './relay.js'

/** What a thread reply, button or ephemeral answer needs to know of where it happened. */
interface Place { channel: string, user: string, threadTs: string }

const NOTE = /^\s*note:\s*/i
/** `;hi` sends the quick phrase `hi` (Slack keeps a leading / for its own commands). */
const PHRASE = /^\s*;([\p{L}\p{N}_-]{1,32})\s*$/u
/** A reply with files, and one also sent to the channel, are still replies. */
const REPLY_SUBTYPES = new Set(['file_share', 'thread_broadcast'])

/**
 * Slack → hub: an agent's thread reply becomes their reply to the customer (or a note), under
 * the same policy and guards as the inbox; the parent's buttons act on the conversation. Every
 * refusal is answered in the thread, to that person only.
 */
export class SlackInbound {
  constructor (
    private readonly ctx: DeskContext,
    private readonly client: webApi.WebClient,
    private readonly people: SlackPeople
  ) {}

  listen (app: App): void {
    app.event('message', async ({ event, body }) => {
      const message = event as unknown as { subtype?: string, bot_id?: string, user?: string, text?: string, ts: string, thread_ts?: string, channel: string, files?: unknown[] }
      // Edits, joins and bots' messages (the desk's own included) are not replies.
      if ((message.subtype !== undefined && !REPLY_SUBTYPES.has(message.subtype)) || message.bot_id !== undefined || message.user === undefined) return
      if (message.thread_ts === undefined || message.thread_ts === message.ts) return
      const conversationId = await this.ctx.kv.get(threadKey(message.channel, message.thread_ts))
      if (conversationId === null) return
      // Slack retries an event it thinks was missed; each event id is taken once.
      const eventId = (body as { event_id?: string }).event_id
      if (eventId !== undefined && !await this.ctx.kv.setIfAbsent(`event:${eventId}`, String(this.ctx.clock().getTime()))) return
      const place: Place = { channel: message.channel, user: message.user, threadTs: message.thread_ts }
      await this.threadReply(place, conversationId, plainFromSlack(message.text ?? ''), (message.files?.length ?? 0) > 0)
    })

    for (const [actionId, act] of [
      [ACTIONS.assign, async (agent: Agent, id: string) => await this.ctx.assignToSelf(agent, id)],
      [ACTIONS.close, async (agent: Agent, id: string) => await this.ctx.close(agent, id)],
      [ACTIONS.reopen, async (agent: Agent, id: string) => await this.ctx.reopen(agent, id)],
      [ACTIONS.rate, async (agent: Agent, id: string) => await this.ctx.requestRating(agent, id)]
    ] as const) {
      app.action(actionId, async ({ ack, body, action }) => {
        await ack()
        const place = placeOf(body)
        const agent = await this.agentOrExplain(place)
        if (agent === null) return
        await this.attempt(place, async () => { await act(agent, (action as { value: string }).value) })
      })
    }

    // A suggested FAQ answer, sent as the clicking agent's reply (refusals are told like a typed reply's).
    app.action(new RegExp(`^${ACTIONS.sendFaq}:`), async ({ ack, body, action }) => {
      await ack()
      const place = placeOf(body)
      const agent = await this.agentOrExplain(place)
      if (agent === null) return
      const [conversationId, entryId] = (action as { value: string }).value.split('|') as [string, string]
      await this.attempt(place, async () => { await this.ctx.sendFaqAnswer(agent, conversationId, entryId) })
    })

    // A kept draft sent from its refusal: with the tag clicked, or as written after an attitude warning.
    app.action(new RegExp(`^(${ACTIONS.sendWithTag}:|${ACTIONS.sendAnyway}$)`), async ({ ack, body, action, respond }) => {
      await ack()
      const place = placeOf(body)
      const agent = await this.agentOrExplain(place)
      if (agent === null) return
      const { action_id: actionId, value: key } = action as { action_id: string, value: string }
      const tag = actionId.startsWith(`${ACTIONS.sendWithTag}:`) ? actionId.slice(ACTIONS.sendWithTag.length + 1) : undefined
      const draft = await this.takeDraft(key)
      if (draft === null) return
      const { conversationId, ...input } = draft
      const sent = await this.attempt(place, async () => { await this.ctx.reply(agent, conversationId, { ...input, ...(tag !== undefined ? { tag } : { confirm: true }) }) })
      if (sent) await respond({ replace_original: true, text: tag !== undefined ? `:white_check_mark: Sent with tag ${tag}.` : ':white_check_mark: Sent as written.' })
    })
  }

  /** A double click must not send twice: the first takes the draft. */
  private async takeDraft (key: string): Promise<{ conversationId: string, text: string, attachments?: Attachment[] } | null> {
    if (!await this.ctx.kv.setIfAbsent(`${key}:taken`, '1')) return null
    const raw = await this.ctx.kv.get(key)
    await this.ctx.kv.delete(key)
    await this.ctx.kv.delete(`${key}:taken`)
    return raw === null ? null : JSON.parse(raw) as { conversationId: string, text: string, attachments?: Attachment[] }
  }

  private async threadReply (place: Place, conversationId: string, text: string, hasFiles: boolean): Promise<void> {
    const agent = await this.agentOrExplain(place)
    if (agent === null) return
    if (hasFiles) await this.tell(place, ':paperclip: Files from Slack are not sent to the customer; attach them from the inbox.')
    if (NOTE.test(text)) {
      await this.attempt(place, async () => { await this.ctx.note(agent, conversationId, text.replace(NOTE, '')) })
      return
    }
    if (text.trim() === '') return
    const code = PHRASE.exec(text)?.[1]
    let draft: { text: string, attachments?: Attachment[] } = { text }
    await this.attempt(place, async () => {
      if (code !== undefined) {
        const phrase = await this.ctx.phrase(agent, conversationId, code)
        if (phrase === null) throw new HubError('phrase_not_found', `you have no quick phrase ;${code}. Phrases are managed in the inbox or with the API (/api/v1/phrases).`, 404)
        draft = phrase
      }
      await this.ctx.reply(agent, conversationId, draft)
    }, async err => {
      if (err.code !== 'tag_required' && err.code !== 'attitude_warning') return false
      const key = `draft:${randomUUID()}`
      await this.ctx.kv.set(key, JSON.stringify({ conversationId, ...draft }))
      await this.ephemeral(place, err.code === 'tag_required'
        ? refusal(`${err.message} Choose a tag to send it with:`, { draft: key, tags: (err.details.tags as string[] | undefined) ?? [] })
        : refusal(err.message.replace(/ with confirm: true\.$/, ' with the button.'), { draft: key, confirm: true }))
      return true
    })
  }

  private async agentOrExplain (place: Place): Promise<Agent | null> {
    const person = await this.people.find(place.user)
    if (person.agent !== null) return person.agent
    await this.tell(place, howToLink(place.user, person.email, this.ctx.deskId))
    return null
  }

  /** Runs an agent's action; a refusal (or a failure) is told to them in the thread. True when it went through. */
  private async attempt (place: Place, action: () => Promise<void>, onRefusal?: (err: HubError) => Promise<boolean>): Promise<boolean> {
    try {
      await action()
      return true
    } catch (err) {
      const known = userError(err)
      if (known !== null) {
        if (await onRefusal?.(known) !== true) await this.ephemeral(place, refusal(known.message))
        return false
      }
      this.ctx.logger.error({ slackUserId: place.user, err: { message: (err as Error).message } }, 'slack action failed')
      await this.tell(place, ':warning: Omnihub could not do this just now; nothing was sent. Try again in a moment.')
      return false
    }
  }

  private async tell (place: Place, text: string): Promise<void> {
    await this.ephemeral(place, { text })
  }

  private async ephemeral (place: Place, message: { text: string, blocks?: unknown[] }): Promise<void> {
    await this.client.chat.postEphemeral({ channel: place.channel, user: place.user, thread_ts: place.threadTs, text: message.text, ...(message.blocks !== undefined ? { blocks: message.blocks as never } : {}) })
      .catch(err => { this.ctx.logger.warn({ slackUserId: place.user, code: (err as { data?: { error?: string } }).data?.error }, 'ephemeral answer not shown') })
  }
}

/** Where a button was pressed: the parent's channel and thread, and who pressed it. */
function placeOf (body: unknown): Place {
  const b = body as { user: { id: string }, channel?: { id: string }, container?: { channel_id?: string, message_ts?: string, thread_ts?: string }, message?: { ts: string, thread_ts?: string } }
  const channel = b.channel?.id ?? b.container?.channel_id ?? ''
  const threadTs = b.message?.thread_ts ?? b.container?.thread_ts ?? b.message?.ts ?? b.container?.message_ts ?? ''
  return { channel, user: b.user.id, threadTs }
}
