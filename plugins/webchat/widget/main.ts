import type { ServerFrame, WireAttachment, WireCard, WireChoice, WireMessage, WireStatus, WireWelcome } from '../frames.js'
import { Connection, type Pending } from './connection.js'
import { pickLocale, textsFor, type Locale, type Texts } from './i18n.js'
import { css } from './styles.js'

type EventName = 'ready' | 'opened' | 'closed' | 'message' | 'error'
type Ready = Extract<ServerFrame, { type: 'ready' }>
/** `welcome`: the store-entry welcome group this page shows (a sale, a product line); else the channel's. */
interface Settings { hubUrl?: string, channel?: string, locale?: string, open?: boolean, welcome?: string }

/** The welcome stands in the log as a message that is not stored. */
const WELCOME_ID = 'welcome'

declare global {
  interface Window { omnihubSettings?: Settings, omnihub?: unknown }
}

const ICON_CHAT = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>'
const ICON_CLIP = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6.5 8.6 14.4a2 2 0 1 0 2.8 2.8l7.8-7.8a4 4 0 1 0-5.6-5.7L5.7 11.6a6 6 0 0 0 8.5 8.5l6.4-6.4-1.4-1.4-6.4 6.4a4 4 0 0 1-5.7-5.7l7.9-7.9a2 2 0 1 1 2.8 2.8l-7.8 7.8-.7-.7 7.9-7.9z"/></svg>'

/** Where the widget came from: the hub and channel, read off its own script tag. */
function channelBase (settings: Settings, script: HTMLScriptElement | undefined): string | null {
  if (settings.hubUrl !== undefined && settings.channel !== undefined) return `${settings.hubUrl.replace(/\/$/, '')}/channels/${settings.channel}`
  return script === undefined ? null : script.src.replace(/\/widget\.js(\?.*)?$/, '')
}

function el<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v)
  node.append(...children)
  return node
}

class Widget {
  private t: Texts
  private locale: Locale
  private readonly conn: Connection
  private readonly listeners = new Map<EventName, Set<(data: unknown) => void>>()
  private ready: Ready | null = null
  private messages = new Map<string, WireMessage>()
  private seenAt = ''
  private status: WireStatus = { online: false, reason: 'agents_offline' }
  private agentName: string | null = null
  /** Who joined, once someone did; else the place in line (shown as the status allows). */
  private notice = ''
  private position: number | null = null
  private welcome: WireWelcome | null = null
  private isOpen = false
  private unread = 0
  private typingOn = false
  private typingTimer: ReturnType<typeof setTimeout> | undefined
  private agentTypingTimer: ReturnType<typeof setTimeout> | undefined
  private readSent = new Set<string>()
  private lastPage = ''
  private error = ''
  private readonly ui: Record<string, HTMLElement>

  constructor (private readonly base: string, private readonly settings: Settings) {
    this.locale = pickLocale(settings.locale, navigator.language)
    this.t = textsFor(this.locale)
    const host = el('div', { id: 'omnihub-widget' })
    const root = host.attachShadow({ mode: 'open' })
    this.ui = this.build()
    this.ui.style!.textContent = css('#2563eb')
    root.append(this.ui.style!, this.ui.root!)
    document.body.append(host)
    this.conn = new Connection(base, f => this.onFrame(f), connected => this.onConnection(connected))
    this.conn.connect()
    this.trackPages()
    document.addEventListener('visibilitychange', () => this.sendRead())
    if (settings.open === true) this.open()
  }

  // --- SDK ---------------------------------------------------------------------------------

  api () {
    return {
      open: () => this.open(),
      close: () => this.close(),
      toggle: () => this.isOpen ? this.close() : this.open(),
      setUser: (id: string, user: { name?: string, email?: string, phone?: string, hash?: string } = {}) =>
        this.conn.send({ type: 'identify', userId: String(id), ...user }),
      setAttributes: (attributes: Record<string, string | number | boolean | null>) => this.conn.send({ type: 'attributes', attributes }),
      setLocale: (locale: string) => this.setLocale(pickLocale(locale)),
      reset: () => { this.messages.clear(); this.agentName = null; this.notice = ''; this.position = null; this.seenAt = ''; this.conn.reset(); this.render() },
      on: (name: EventName, fn: (data: unknown) => void) => { (this.listeners.get(name) ?? this.listeners.set(name, new Set()).get(name)!).add(fn) },
      off: (name: EventName, fn: (data: unknown) => void) => { this.listeners.get(name)?.delete(fn) }
    }
  }

  private emit (name: EventName, data?: unknown): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try { fn(data) } catch (err) { console.error(err) }
    }
  }

  // --- frames ------------------------------------------------------------------------------

  private onFrame (frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready': {
        const first = this.ready === null
        this.ready = frame
        this.status = frame.status
        if (this.settings.locale === undefined && frame.locale !== 'auto') this.setLocale(frame.locale)
        this.ui.style!.textContent = css(frame.color)
        this.lastPage = ''
        this.reportPage()
        if (first) this.emit('ready')
        break
      }
      case 'history':
        this.messages = new Map(frame.messages.map(m => [m.id, m]))
        this.agentName = frame.agent?.name ?? null
        this.notice = ''
        this.position = frame.queuePosition
        this.seenAt = frame.seenAt ?? ''
        break
      case 'ack': this.messages.set(frame.message.id, frame.message); break
      case 'message': this.incoming(frame.message); break
      case 'typing': this.agentTyping(frame.on); break
      case 'seen': this.seenAt = frame.at; break
      case 'welcome': this.welcome = frame.welcome; break
      case 'queue': this.position = frame.position; this.notice = ''; break
      case 'assigned': this.agentName = frame.agent.name; this.position = null; this.notice = this.t.joined(frame.agent.name); break
      case 'status': this.status = frame.status; break
      case 'profile': if (this.ready !== null) this.ready = { ...this.ready, email: frame.email, prechatNeeded: frame.prechatNeeded }; this.fieldErrors({}); break
      case 'identified': if (this.ready !== null) this.ready = { ...this.ready, userId: frame.userId }; break
      case 'error':
        if (frame.code === 'invalid_profile') this.fieldErrors(frame.fields ?? {})
        // A refused identity is the site's mistake, not the visitor's: the page hears it, the visitor does not.
        else if (frame.code === 'identity_unverified') console.warn(`omnihub: ${frame.message}`)
        else if (frame.code !== 'rate_limited' && frame.code !== 'try_again') this.error = frame.message
        this.emit('error', { code: frame.code, message: frame.message })
        break
    }
    this.render()
  }

  private incoming (message: WireMessage): void {
    const known = this.messages.has(message.id)
    this.messages.set(message.id, message)
    if (known || message.from === 'visitor') return
    this.agentTyping(false)
    this.conn.send({ type: 'receipt', status: 'delivered', ids: [message.id] })
    if (!this.isOpen) this.unread++
    this.sendRead()
    this.emit('message', { id: message.id, from: message.from, text: message.text, attachments: message.attachments })
  }

  private onConnection (connected: boolean): void {
    this.ui.state!.dataset.connected = String(connected)
    this.render()
  }

  // --- actions -----------------------------------------------------------------------------

  open (): void {
    if (this.isOpen) return
    this.isOpen = true
    this.unread = 0
    this.render()
    ;(this.ready?.prechatNeeded === true ? this.ui.prechat!.querySelector('input') : this.ui.text)?.focus()
    this.sendRead()
    this.emit('opened')
  }

  close (): void {
    if (!this.isOpen) return
    this.isOpen = false
    this.render()
    this.ui.bubble!.focus()
    this.emit('closed')
  }

  private setLocale (locale: Locale): void {
    this.locale = locale
    this.t = textsFor(locale)
    this.retext()
  }

  private submit (): void {
    const text = (this.ui.text as HTMLTextAreaElement).value
    if (text.trim() === '') return
    const max = this.ready?.maxTextLength ?? 5000
    if ([...text].length > max) { this.error = this.t.tooLong(max); this.render(); return }
    ;(this.ui.text as HTMLTextAreaElement).value = ''
    this.error = ''
    this.setTyping(false)
    this.conn.message(text)
    this.render()
  }

  private async attach (file: File): Promise<void> {
    const limits = this.ready?.attachments
    if (limits !== undefined && file.size > limits.maxBytes) { this.error = this.t.fileTooLarge(Math.floor(limits.maxBytes / 1048576)); this.render(); return }
    try {
      const { attachment } = await this.conn.upload(file)
      this.conn.message('', [attachment])
    } catch (err) {
      this.error = (err as Error).message === 'file_type_not_allowed' ? this.t.fileType : this.t.uploadFailed
    }
    this.render()
  }

  private setTyping (on: boolean): void {
    clearTimeout(this.typingTimer)
    if (on) this.typingTimer = setTimeout(() => this.setTyping(false), 4000)
    if (on === this.typingOn) return
    this.typingOn = on
    this.conn.send({ type: 'typing', on })
  }

  private agentTyping (on: boolean): void {
    clearTimeout(this.agentTypingTimer)
    this.ui.typing!.hidden = !on
    // A lost "stopped" frame must not leave the indicator on forever.
    if (on) this.agentTypingTimer = setTimeout(() => { this.ui.typing!.hidden = true }, 8000)
  }

  private sendRead (): void {
    if (!this.isOpen || document.visibilityState !== 'visible') return
    const ids = [...this.messages.values()].filter(m => m.from !== 'visitor' && m.status !== 'read' && !this.readSent.has(m.id)).map(m => m.id)
    if (ids.length === 0 || !this.conn.ready) return
    for (const id of ids) this.readSent.add(id)
    this.conn.send({ type: 'receipt', status: 'read', ids })
  }

  private trackPages (): void {
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method].bind(history)
      history[method] = (...args: Parameters<History['pushState']>) => { original(...args); setTimeout(() => this.reportPage(), 0) }
    }
    addEventListener('popstate', () => this.reportPage())
    addEventListener('hashchange', () => this.reportPage())
  }

  private reportPage (): void {
    if (location.href === this.lastPage || !this.conn.ready || !/^https?:/.test(location.href)) return
    this.lastPage = location.href
    const welcome = this.settings.welcome
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone
    this.conn.send({
      type: 'page', url: location.href.slice(0, 2048), title: document.title.slice(0, 300), referrer: document.referrer.slice(0, 2048),
      language: navigator.language.slice(0, 35), ...(timeZone !== undefined ? { timeZone: timeZone.slice(0, 64) } : {}), ...(welcome !== undefined ? { welcome } : {})
    })
  }

  private fieldErrors (fields: Record<string, string>): void {
    for (const input of Array.from(this.ui.prechat!.querySelectorAll('input'))) {
      const why = fields[input.name]
      input.setAttribute('aria-invalid', String(why !== undefined))
      const note = input.parentElement!.querySelector('.field-error')!
      note.textContent = why === undefined ? '' : why === 'required' ? this.t.required : this.t.invalid
    }
  }

  // --- view --------------------------------------------------------------------------------

  private build (): Record<string, HTMLElement> {
    const ui: Record<string, HTMLElement> = {}
    ui.style = el('style')
    ui.title = el('div', { class: 'title' })
    ui.stateText = el('span')
    ui.stateDot = el('span', { class: 'dot' })
    ui.state = el('div', { class: 'state' }, ui.stateDot, ui.stateText)
    ui.avatar = el('div', { class: 'avatar', 'aria-hidden': 'true' })
    ui.closeBtn = el('button', { type: 'button', class: 'close' }, '×')
    ui.closeBtn.addEventListener('click', () => this.close())
    ui.notice = el('div', { class: 'notice', role: 'status' })
    ui.log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite' })
    ui.typing = el('div', { class: 'typing', hidden: '' })
    ui.prechat = el('form', { class: 'card prechat', novalidate: '' })
    ui.prechat.addEventListener('submit', e => { e.preventDefault(); this.submitPrechat() })
    ui.offline = el('form', { class: 'inline offline', novalidate: '' })
    ui.offline.addEventListener('submit', e => {
      e.preventDefault()
      const email = (ui.offline!.querySelector('input') as HTMLInputElement).value.trim()
      if (email !== '') this.conn.send({ type: 'profile', email })
    })
    ui.text = el('textarea', { rows: '1' })
    ui.text.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.submit() }
    })
    ui.text.addEventListener('input', () => this.setTyping((ui.text as HTMLTextAreaElement).value !== ''))
    const file = el('input', { type: 'file', hidden: '' }) as HTMLInputElement
    file.addEventListener('change', () => { const f = file.files?.[0]; file.value = ''; if (f !== undefined) void this.attach(f) })
    ui.attach = el('label', { class: 'attach', tabindex: '0', role: 'button' })
    ui.attach.innerHTML = ICON_CLIP
    ui.attach.append(file)
    ui.attach.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click() } })
    ui.send = el('button', { type: 'submit', class: 'primary' })
    ui.composer = el('form', { class: 'composer' }, ui.text, ui.attach, ui.send)
    ui.composer.addEventListener('submit', e => { e.preventDefault(); this.submit() })
    ui.error = el('div', { class: 'error', role: 'alert' })
    ui.panel = el('div', { class: 'panel', role: 'dialog', hidden: '' },
      el('header', {}, ui.avatar, el('div', { class: 'who' }, ui.title, ui.state), ui.closeBtn),
      ui.notice, ui.log, ui.typing, ui.prechat, ui.offline, ui.error, ui.composer)
    ui.panel.addEventListener('keydown', e => { if (e.key === 'Escape') this.close() })
    ui.badge = el('span', { class: 'badge', hidden: '' })
    ui.bubbleDot = el('span', { class: 'dot' })
    ui.bubble = el('button', { type: 'button', class: 'bubble', 'aria-expanded': 'false' })
    ui.bubble.innerHTML = ICON_CHAT
    ui.bubble.append(ui.bubbleDot, ui.badge)
    ui.bubble.addEventListener('click', () => this.isOpen ? this.close() : this.open())
    ui.root = el('div', { class: 'root' }, ui.panel, ui.bubble)
    return ui
  }

  private retext (): void {
    this.ui.prechat!.dataset.built = ''
    this.render()
  }

  private submitPrechat (): void {
    const values = Object.fromEntries(Array.from(this.ui.prechat!.querySelectorAll('input')).map(i => [i.name, i.value.trim()]))
    const errors: Record<string, string> = {}
    for (const [field, rule] of Object.entries(this.ready?.prechat ?? {})) {
      const value = values[field] ?? ''
      if (rule === 'required' && value === '') errors[field] = 'required'
      else if (field === 'email' && value !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) errors[field] = 'invalid'
      else if (field === 'phone' && value !== '' && !/^\+?[0-9][0-9 ().-]{5,24}$/.test(value)) errors[field] = 'invalid'
    }
    this.fieldErrors(errors)
    if (Object.keys(errors).length > 0) {
      (this.ui.prechat!.querySelector('[aria-invalid="true"]') as HTMLInputElement | null)?.focus()
      return
    }
    this.conn.send({ type: 'profile', ...values, prechat: true })
  }

  private buildPrechat (): void {
    const form = this.ui.prechat!
    if (form.dataset.built === this.locale) return
    form.dataset.built = this.locale
    form.replaceChildren(el('div', {}, this.t.prechatTitle))
    for (const [field, rule] of Object.entries(this.ready?.prechat ?? {})) {
      if (rule === 'off') continue
      const label = `${this.t[field as 'name' | 'email' | 'phone']}${rule === 'optional' ? ` ${this.t.optional}` : ''}`
      const input = el('input', { name: field, type: field === 'email' ? 'email' : field === 'phone' ? 'tel' : 'text', autocomplete: field === 'phone' ? 'tel' : field, ...(rule === 'required' ? { 'aria-required': 'true' } : {}) })
      form.append(el('label', {}, label, input, el('span', { class: 'field-error', 'aria-live': 'polite' })))
    }
    form.append(el('button', { type: 'submit', class: 'primary' }, this.t.start))
  }

  private render (): void {
    const { ui, t } = this
    const connected = this.conn?.ready ?? false
    ui.title!.textContent = this.ready?.title ?? ''
    ui.stateText!.textContent = !connected ? t.reconnecting : this.status.online ? (this.agentName ?? t.online) : this.status.reason === 'closed' ? t.closed : this.status.reason === 'agents_busy' ? t.busy : t.away
    ui.stateDot!.classList.toggle('on', connected && this.status.online)
    ui.bubbleDot!.classList.toggle('on', connected && this.status.online)
    ui.avatar!.textContent = (this.agentName ?? this.ready?.title ?? '?').trim().slice(0, 1).toUpperCase()
    ui.closeBtn!.setAttribute('aria-label', t.close)
    ui.panel!.setAttribute('aria-label', this.ready?.title ?? t.open)
    ui.panel!.hidden = !this.isOpen
    ui.bubble!.setAttribute('aria-label', this.isOpen ? t.close : t.open)
    ui.bubble!.setAttribute('aria-expanded', String(this.isOpen))
    ui.badge!.hidden = this.unread === 0
    ui.badge!.textContent = String(this.unread)
    // Outside opening hours a place in line means nothing yet: the visitor hears when they are answered.
    const notice = this.position === null ? this.notice : this.status.reason === 'closed' ? t.whenOpen : t.queue(this.position)
    ui.notice!.hidden = notice === ''
    ui.notice!.textContent = notice
    ui.typing!.textContent = `${this.agentName ?? t.someone} ${t.typing}`
    ui.text!.setAttribute('placeholder', t.placeholder)
    ui.text!.setAttribute('aria-label', t.placeholder)
    ui.text!.setAttribute('maxlength', String(this.ready?.maxTextLength ?? 5000))
    ui.attach!.setAttribute('aria-label', t.attach)
    ui.attach!.setAttribute('title', t.attach)
    ui.send!.textContent = t.send
    ui.error!.hidden = this.error === ''
    ui.error!.textContent = this.error
    const prechat = this.ready?.prechatNeeded === true
    if (prechat) this.buildPrechat()
    ui.prechat!.hidden = !prechat
    ui.composer!.hidden = prechat
    this.renderOffline(prechat)
    this.renderLog()
  }

  private renderOffline (prechat: boolean): void {
    const form = this.ui.offline!
    // Busy agents still answer here: the email form is for when nobody can.
    const show = !prechat && this.ready !== null && this.ready.offlineEmail && !this.status.online && this.status.reason !== 'agents_busy'
    form.hidden = !show
    if (!show) return
    const email = this.ready!.email
    if (email !== null) {
      form.replaceChildren(el('div', {}, this.t.emailSaved(email)))
      return
    }
    if (form.querySelector('input') !== null && form.dataset.locale === this.locale) return
    form.dataset.locale = this.locale
    form.replaceChildren(el('div', {}, this.t.offline), el('div', { class: 'row' },
      el('input', { type: 'email', name: 'email', autocomplete: 'email', 'aria-label': this.t.email, placeholder: this.t.email }),
      el('button', { type: 'submit', class: 'primary' }, this.t.save)))
  }

  private renderLog (): void {
    const log = this.ui.log!
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40
    const welcome: WireMessage[] = this.welcome === null
      ? []
      : [{ id: WELCOME_ID, clientId: null, from: this.welcome.agent !== null ? 'agent' : 'bot', text: this.welcome.text, attachments: [], createdAt: this.welcome.at, status: 'read', choices: this.welcome.choices }]
    const stored = [...this.messages.values(), ...welcome].sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    const ackedClientIds = new Set(stored.map(m => m.clientId))
    const pending = this.conn.outbox.filter(p => !ackedClientIds.has(p.clientId))
    // Choices are offered under the newest message only: once the visitor wrote on, they are past.
    const last = stored.at(-1)
    log.replaceChildren(
      ...stored.map(m => this.bubbleFor(m.from, m.text, m.attachments, this.metaOf(m), m.quote, m.cards)),
      ...(last?.choices !== undefined && last.choices.length > 0 && pending.length === 0 ? [this.choicesFor(last.choices)] : []),
      ...pending.map(p => this.pendingBubble(p)))
    if (atBottom || pending.length > 0) log.scrollTop = log.scrollHeight
  }

  private metaOf (m: WireMessage): string {
    const time = new Date(m.createdAt).toLocaleTimeString(this.locale === 'zh' ? 'zh-CN' : 'en', { hour: '2-digit', minute: '2-digit' })
    if (m.id === WELCOME_ID) return this.welcome?.agent?.name ?? ''
    if (m.from !== 'visitor') return `${m.from === 'agent' ? this.agentName ?? this.t.someone : ''} ${time}`.trim()
    return `${time} · ${this.seenAt !== '' && m.createdAt <= this.seenAt ? this.t.seen : this.t.sent}`
  }

  private choicesFor (choices: WireChoice[]): HTMLElement {
    const row = el('div', { class: 'choices', role: 'group' })
    for (const choice of choices) {
      const button = el('button', { type: 'button', class: 'choice' }, choice.label)
      button.addEventListener('click', () => { this.conn.message(choice.label, [], choice.payload); this.render() })
      row.append(button)
    }
    return row
  }

  private pendingBubble (p: Pending): HTMLElement {
    const node = this.bubbleFor('visitor', p.text, p.attachments, p.error ?? this.t.sending)
    if (p.error !== undefined) {
      node.classList.add('failed')
      const dismiss = el('button', { type: 'button', class: 'close', 'aria-label': this.t.failed }, '×')
      dismiss.addEventListener('click', () => { this.conn.drop(p.clientId); this.render() })
      node.querySelector('.meta')!.append(' ', dismiss)
    }
    return node
  }

  /** A product or order card: the link opens it in a new tab (only http(s) links are made). */
  private cardFor (card: WireCard): HTMLElement {
    const safe = (url: string | undefined): string | null => url !== undefined && /^https?:\/\//.test(url) ? url : null
    const link = safe(card.url)
    const image = safe(card.imageUrl)
    const body = el('div', { class: 'card-body' }, el('div', { class: 'card-title' }, card.title),
      ...Object.entries(card.fields ?? {}).map(([k, v]) => el('div', { class: `card-field card-${k.replace(/[^a-z]/gi, '')}` }, v)))
    const parts = [...(image !== null ? [el('img', { src: image, alt: '' })] : []), body]
    return link !== null
      ? el('a', { class: 'product-card', href: link, target: '_blank', rel: 'noopener' }, ...parts)
      : el('div', { class: 'product-card' }, ...parts)
  }

  private bubbleFor (from: WireMessage['from'], text: string, attachments: WireAttachment[], meta: string, quote?: { text: string }, cards: WireCard[] = []): HTMLElement {
    const body = el('div', { class: 'body' })
    if (quote !== undefined && quote.text !== '') body.append(el('blockquote', { class: 'quote' }, quote.text))
    for (const card of cards) body.append(this.cardFor(card))
    if (text !== '') body.append(text)
    for (const a of attachments) {
      const href = a.url.startsWith('/') ? new URL(this.base).origin + a.url : a.url
      body.append(a.kind === 'image' && a.url.includes('sig=')
        ? el('a', { href, target: '_blank', rel: 'noopener' }, el('img', { src: href, alt: a.name ?? '' }))
        : el('a', { href, target: '_blank', rel: 'noopener' }, a.name ?? 'file'))
    }
    return el('div', { class: `msg ${from === 'visitor' ? 'visitor' : 'agent'}` }, body, el('div', { class: 'meta' }, meta))
  }
}

function boot (): void {
  if ((window.omnihub as { version?: string } | undefined)?.version !== undefined) return
  const script = Array.from(document.scripts).find(s => /\/channels\/[a-z0-9_-]+\/widget\.js(\?|$)/.test(s.src))
  // A page names its welcome group in omnihubSettings or on the script tag (data-welcome="spring-sale").
  const welcome = window.omnihubSettings?.welcome ?? script?.dataset.welcome
  const settings = { ...window.omnihubSettings, ...(welcome !== undefined ? { welcome } : {}) }
  const base = channelBase(settings, script)
  if (base === null) { console.error('omnihub: cannot tell the hub address; set window.omnihubSettings = { hubUrl, channel }'); return }
  const widget = new Widget(base, settings)
  window.omnihub = { version: '1', ...widget.api() }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot)
else boot()
