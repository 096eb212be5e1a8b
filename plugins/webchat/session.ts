import type { WebSocket } from 'ws'
import type { ChannelContext } from '../../core/channels/index.js'
import { fileKeyOf } from '../../core/files/index.js'
import type { Attachment, ContactDetails, ProfileFill } from '../../core/model/index.js'
import { fromLocaleTag } from '../../core/text/index.js'
import type { ClientFrame, ServerFrame, WireMessage } from './frames.js'
import type { Counter, RateLimiter } from './limits.js'
import { sendFrame, type VisitorSockets, type VisitorSocket } from './live.js'
import { EMAIL, parseFrame, PHONE } from './protocol.js'
import type { WebchatSettings } from './settings.js'
import { validIdentity, Visitors, type VisitorState } from './visitors.js'
import { toWire, visibleToVisitor, visitorMessageId } from './wire.js'

export interface SessionDeps {
  ctx: ChannelContext
  settings: WebchatSettings
  visitors: Visitors
  sockets: VisitorSockets
  messageLimit: RateLimiter
  eventLimit: RateLimiter
  /** Every frame of every visitor behind one address: a flood from many sockets is slowed too. */
  ipLimit: RateLimiter
  connections: Counter
}

/** What the widget shows of the conversation on (re)connect. */
const HISTORY = 100

/** An error the visitor can act on, sent as a frame; the connection stays open. */
class FrameError extends Error {
  constructor (readonly code: string, message: string, readonly extra: { clientId?: string, fields?: Record<string, string>, retryAfterMs?: number } = {}) {
    super(message)
  }
}

/**
 * One widget connection (a browser tab). Frames are handled one at a time, in order, so a
 * visitor's messages are stored in the order they were typed.
 */
export class VisitorSession {
  private state!: VisitorState
  private conn: VisitorSocket | undefined
  private chain: Promise<void> = Promise.resolve()
  private typing = false
  /** The store-entry welcome this tab showed: the visitor's first message carries it. */
  private welcomed: { group: string | null, text: string } | null = null
  /** What the browser says of the visitor's language, country and time zone; their contact gets it once it exists (and once per change). */
  private browser: ProfileFill = {}
  private browserFilled = '{}'

  constructor (private readonly d: SessionDeps, private readonly socket: WebSocket, private readonly visitorId: string, private readonly ip: string) {}

  /** Starts the session: frames that arrive meanwhile wait in order. */
  start (token: string): void {
    this.socket.on('message', (data, isBinary) => { this.then(async () => { await this.handle(isBinary ? '' : data.toString()) }) })
    // Registered before anything async: a tab closed during start-up still frees its place.
    this.socket.on('close', () => {
      this.d.connections.release(this.ip)
      if (this.conn !== undefined) {
        // The visitor left the site when their last tab here closed (a tab on another hub process keeps them online at its next beat).
        if (!this.d.sockets.hasOther(this.conn)) this.then(async () => { await this.tellPresence(false, await this.d.visitors.conversationOf(this.externalId)) })
        this.d.sockets.remove(this.conn)
      }
      if (this.typing) this.then(async () => { await this.setTyping(false) })
    })
    this.then(async () => {
      await this.open(token).catch(err => {
        this.d.ctx.logger.warn({ visitorId: this.visitorId, err: { message: (err as Error).message } }, 'visitor session failed to start')
        this.send({ type: 'error', code: 'try_again', message: 'The chat could not start just now; it reconnects by itself.', retryAfterMs: 2000 })
        this.socket.close(1011, 'try_again')
      })
    })
  }

  /** Runs after what is queued; a failure is logged and never stops the frames after it. */
  private then (work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch(err =>
      this.d.ctx.logger.warn({ visitorId: this.visitorId, err: { message: (err as Error).message } }, 'visitor session step failed'))
  }

  private send (frame: ServerFrame): void {
    sendFrame(this.socket, frame)
  }

  private get externalId (): string {
    return Visitors.externalId(this.visitorId, this.state)
  }

  private async open (token: string): Promise<void> {
    this.state = await this.d.visitors.state(this.visitorId)
    this.conn = {
      id: this.d.sockets.newId(),
      visitorId: this.visitorId,
      externalId: this.externalId,
      socket: this.socket,
      send: frame => this.send(frame),
      reload: () => { this.then(async () => { await this.reload() }) }
    }
    if (this.socket.readyState !== this.socket.OPEN) return
    this.d.sockets.add(this.conn)
    const { settings } = this.d
    this.send({
      type: 'ready',
      token,
      visitorId: this.visitorId,
      userId: this.state.userId,
      prechatNeeded: this.prechatNeeded(),
      prechat: settings.preChat,
      offlineEmail: settings.offlineEmail,
      email: this.state.email,
      status: await this.d.sockets.currentStatus(),
      title: settings.title,
      color: settings.color,
      locale: settings.locale,
      maxTextLength: settings.limits.maxTextLength,
      attachments: settings.attachments
    })
    this.send(await this.history())
    await this.tellPresence(true, await this.d.visitors.conversationOf(this.externalId))
    this.d.ctx.logger.debug({ visitorId: this.visitorId }, 'visitor connected')
  }

  private async reload (): Promise<void> {
    this.state = await this.d.visitors.state(this.visitorId)
    this.conn!.externalId = this.externalId
    this.send({ type: 'profile', email: this.state.email, prechatNeeded: this.prechatNeeded() })
    this.send({ type: 'identified', userId: this.state.userId, verified: this.state.userId !== null })
    this.send(await this.history())
  }

  private prechatNeeded (): boolean {
    const { preChat } = this.d.settings
    return !this.state.prechatDone && Object.values(preChat).some(rule => rule !== 'off')
  }

  private async handle (raw: string): Promise<void> {
    const frame = parseFrame(raw)
    try {
      if ('problem' in frame) throw new FrameError('bad_frame', frame.problem)
      if (this.conn === undefined) return
      await this.dispatch(frame)
    } catch (err) {
      if (err instanceof FrameError) {
        this.send({ type: 'error', code: err.code, message: err.message, ...err.extra })
        return
      }
      this.d.ctx.logger.warn({ visitorId: this.visitorId, err: { message: (err as Error).message } }, 'visitor frame failed')
      const clientId = !('problem' in frame) && frame.type === 'message' ? frame.clientId : undefined
      this.send({ type: 'error', code: 'try_again', message: 'The hub could not take this just now; it will be retried.', ...(clientId !== undefined ? { clientId } : {}), retryAfterMs: 2000 })
    }
  }

  private limit (limiter: RateLimiter, clientId?: string): void {
    const now = Date.now()
    const wait = Math.max(limiter.take(this.visitorId, now), this.d.ipLimit.take(this.ip, now))
    if (wait > 0) throw new FrameError('rate_limited', 'You are sending too fast; this is sent again shortly.', { ...(clientId !== undefined ? { clientId } : {}), retryAfterMs: wait })
  }

  /**
   * Visitors attach only files they uploaded themselves (the upload route records who): a file
   * key from elsewhere, another conversation's included, is refused rather than given a fresh link.
   */
  private async ownFile (attachment: Attachment, clientId: string): Promise<Attachment> {
    const url = attachment.url.split('?')[0]!
    const key = fileKeyOf(url)
    if (key === null) throw new FrameError('invalid_attachment', 'Attachments must be uploaded to the hub first (POST uploads).', { clientId })
    if (await this.d.ctx.kv.get(uploadKey(key)) !== this.visitorId) throw new FrameError('invalid_attachment', 'Only files you uploaded in this chat can be attached; upload it again.', { clientId })
    return { ...attachment, url }
  }

  private async dispatch (frame: ClientFrame): Promise<void> {
    const { ctx } = this.d
    switch (frame.type) {
      case 'message': return await this.message(frame)
      case 'typing': {
        this.limit(this.d.eventLimit)
        return await this.setTyping(frame.on)
      }
      case 'receipt': {
        this.limit(this.d.eventLimit)
        // Scoped to the visitor's own identity, never by ids alone (another visitor's ids would move their replies):
        // what reached this visitor's widget up to now. A write, so it follows the send's own `sent` in the store.
        if (frame.ids.length > 0) await ctx.receipt({ status: frame.status, upTo: { contactExternalId: this.externalId, at: ctx.clock() } })
        return
      }
      case 'sync': {
        this.limit(this.d.eventLimit)
        return this.send(await this.history())
      }
      case 'page': {
        this.limit(this.d.eventLimit)
        await ctx.recordPageView(this.externalId, { url: frame.url, title: frame.title, referrer: frame.referrer !== undefined && frame.referrer !== '' ? frame.referrer : null, at: ctx.clock() })
        this.browser = { ...(frame.language !== undefined ? fromLocaleTag(frame.language) : {}), ...(frame.timeZone !== undefined ? { timeZone: frame.timeZone } : {}) }
        const conversationId = await this.d.visitors.conversationOf(this.externalId)
        await this.tellPresence(true, conversationId, { url: frame.url, title: frame.title })
        if (conversationId !== null) await this.fillFromBrowser()
        return await this.offerWelcome(frame.welcome, conversationId)
      }
      case 'profile': {
        this.limit(this.d.eventLimit)
        return await this.profile(frame)
      }
      case 'identify': {
        this.limit(this.d.eventLimit)
        return await this.identify(frame)
      }
      case 'attributes': {
        this.limit(this.d.eventLimit)
        this.state.attributes = { ...this.state.attributes, ...frame.attributes }
        await this.d.visitors.save(this.visitorId, this.state)
        await ctx.updateContact(this.externalId, { attributes: frame.attributes })
      }
    }
  }

  private async message (frame: Extract<ClientFrame, { type: 'message' }>): Promise<void> {
    const { ctx, settings } = this.d
    const { clientId } = frame
    this.limit(this.d.messageLimit, clientId)
    const attachments = await Promise.all((frame.attachments ?? []).map(async a => await this.ownFile(a, clientId)))
    if (frame.text.trim() === '' && attachments.length === 0) throw new FrameError('empty_message', 'Write a message or attach a file.', { clientId })
    if ([...frame.text].length > settings.limits.maxTextLength) {
      throw new FrameError('message_too_long', `Messages can be at most ${settings.limits.maxTextLength} characters; split this one.`, { clientId })
    }
    if (this.prechatNeeded()) throw new FrameError('prechat_required', 'Please fill in the form before your first message.', { clientId })
    const externalId = this.externalId
    const known = await this.d.visitors.conversationOf(externalId)
    const extras = { ...(frame.payload !== undefined ? { payload: frame.payload } : {}), ...(this.welcomed !== null ? { welcome: this.welcomed } : {}) }
    const outcome = await ctx.ingest({
      externalId: visitorMessageId(this.visitorId, clientId),
      from: { externalId, ...present({ name: this.state.name, email: this.state.email, phone: this.state.phone }) },
      text: frame.text,
      attachments,
      ...(Object.keys(extras).length > 0 ? { extras } : {})
    })
    this.welcomed = null
    if (outcome.conversationId !== known) {
      await this.d.visitors.setConversation(externalId, outcome.conversationId)
      // A new conversation (or contact): it gets what the visitor, their browser or the site told us so far.
      await ctx.updateContact(externalId, this.details())
      await this.fillFromBrowser()
      // Routing may have placed it before we knew whose it was: pass on what it said.
      const notice = await this.notice(outcome.conversationId)
      if (notice.position !== undefined) await this.d.sockets.toIdentity(externalId, { type: 'queue', position: notice.position })
      if (notice.agent !== undefined) await this.d.sockets.toIdentity(externalId, { type: 'assigned', agent: notice.agent })
    }
    const [stored] = await ctx.findMessages([visitorMessageId(this.visitorId, clientId)])
    const message = toWire(stored!, ctx.files)
    this.send({ type: 'ack', clientId, message })
    if (!outcome.duplicate) await this.d.sockets.toIdentity(externalId, { type: 'message', message }, this.conn!.id)
    this.typing = false
  }

  private details (): ContactDetails {
    const { name, email, phone, attributes } = this.state
    return { ...present({ name, email, phone }), ...(Object.keys(attributes).length > 0 ? { attributes } : {}) }
  }

  private async setTyping (on: boolean): Promise<void> {
    const conversationId = await this.d.visitors.conversationOf(this.externalId)
    this.typing = on
    if (conversationId !== null) await this.d.ctx.customerTyping(conversationId, on)
  }

  private async profile (frame: Extract<ClientFrame, { type: 'profile' }>): Promise<void> {
    this.limit(this.d.eventLimit)
    const fields: Record<string, string> = {}
    const values = { name: frame.name?.trim() ?? '', email: frame.email?.trim() ?? '', phone: frame.phone?.trim() ?? '' }
    if (values.email !== '' && !EMAIL.test(values.email)) fields.email = 'invalid'
    if (values.phone !== '' && !PHONE.test(values.phone)) fields.phone = 'invalid'
    if (frame.prechat === true) {
      for (const [field, rule] of Object.entries(this.d.settings.preChat)) {
        if (rule === 'required' && values[field as keyof typeof values] === '') fields[field] = 'required'
      }
    }
    if (Object.keys(fields).length > 0) {
      throw new FrameError('invalid_profile', `Check ${Object.keys(fields).join(', ')}: ${Object.entries(fields).map(([f, why]) => `${f} is ${why}`).join('; ')}.`, { fields })
    }
    for (const field of ['name', 'email', 'phone'] as const) if (values[field] !== '') this.state[field] = values[field]
    if (frame.prechat === true) this.state.prechatDone = true
    await this.d.visitors.save(this.visitorId, this.state)
    await this.d.ctx.updateContact(this.externalId, present(values))
    this.send({ type: 'profile', email: this.state.email, prechatNeeded: this.prechatNeeded() })
    await this.d.sockets.reloadVisitor(this.visitorId)
  }

  private async identify (frame: Extract<ClientFrame, { type: 'identify' }>): Promise<void> {
    this.limit(this.d.eventLimit)
    const secret = this.d.settings.identitySecret
    if (secret !== undefined && !validIdentity(secret, frame.userId, frame.hash)) {
      this.d.ctx.logger.info({ visitorId: this.visitorId }, 'visitor identity refused')
      throw new FrameError('identity_unverified', 'setUser needs hash = hex HMAC-SHA256(identitySecret, user id), made by your server; the visitor stays anonymous.')
    }
    const before = JSON.stringify(this.state)
    const values = present({ name: frame.name, email: frame.email !== undefined && EMAIL.test(frame.email) ? frame.email : undefined, phone: frame.phone })
    Object.assign(this.state, values)
    // Only a proven id names the visitor (and shows them that user's history); else it is an attribute.
    if (secret !== undefined) this.state.userId = frame.userId
    else this.state.attributes = { ...this.state.attributes, userId: frame.userId }
    // Sites call setUser on every page load: nothing new, nothing to redo.
    if (JSON.stringify(this.state) === before) return this.send({ type: 'identified', userId: this.state.userId, verified: this.state.userId !== null })
    await this.d.visitors.save(this.visitorId, this.state)
    this.conn!.externalId = this.externalId
    await this.d.ctx.updateContact(this.externalId, this.details())
    await this.d.sockets.reloadVisitor(this.visitorId)
  }

  /** Agents see whether the visitor is on the site, and on which page. */
  private async tellPresence (online: boolean, conversationId: string | null, page?: { url: string, title: string }): Promise<void> {
    await this.d.ctx.presence(this.externalId, { online, conversationId, ...(page !== undefined ? { page } : {}) })
  }

  /** The contact gets the browser's language, country and zone where it has none; sent again only when they changed. */
  private async fillFromBrowser (): Promise<void> {
    const facts = JSON.stringify(this.browser)
    if (facts === this.browserFilled) return
    await this.d.ctx.updateProfile(this.externalId, this.browser)
    this.browserFilled = facts
  }

  /** Each page the visitor opens offers the welcome of the group it names (else the channel's), unless they are talking already. */
  private async offerWelcome (group: string | undefined, conversationId: string | null): Promise<void> {
    const { ctx } = this.d
    const welcome = await ctx.welcome({ conversationId, ...(group !== undefined ? { group } : {}) })
    this.welcomed = welcome === null ? null : { group: welcome.group, text: welcome.text }
    this.send({
      type: 'welcome',
      welcome: welcome === null ? null : { text: welcome.text, choices: welcome.questions.map(label => ({ label, payload: 'welcome' })), agent: welcome.agent, at: ctx.clock().toISOString() }
    })
  }

  /** The last wait notice of a conversation: its place in line, or who took it. */
  private async notice (conversationId: string): Promise<{ agent?: { name: string }, position?: number }> {
    return JSON.parse(await this.d.ctx.kv.get(`notice:${conversationId}`) ?? '{}') as { agent?: { name: string }, position?: number }
  }

  private async history (): Promise<ServerFrame> {
    const { ctx } = this.d
    const conversationId = await this.d.visitors.conversationOf(this.externalId)
    const conversation = conversationId === null ? null : await ctx.getConversation(conversationId)
    if (conversation === null) return { type: 'history', messages: [], agent: null, queuePosition: null, seenAt: null }
    let messages: WireMessage[] = []
    let cursor: string | undefined
    do {
      const page = await ctx.listMessages(conversation.id, { limit: 200, ...(cursor !== undefined ? { cursor } : {}) })
      messages = [...messages, ...page.items.filter(visibleToVisitor).map(m => toWire(m, ctx.files))].slice(-HISTORY)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    const notice = await this.notice(conversation.id)
    return {
      type: 'history',
      messages,
      agent: conversation.status === 'assigned' ? notice.agent ?? null : null,
      queuePosition: conversation.queuedAt !== null ? notice.position ?? null : null,
      seenAt: await ctx.kv.get(`seen:${conversation.id}`)
    }
  }
}


function present<T extends Record<string, string | null | undefined>> (values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined && v !== '')) as { [K in keyof T]?: string }
}

/** Who uploaded a hub file through the widget: the only visitor who may attach it. */
export const uploadKey = (fileKey: string): string => `upload:${fileKey}`
