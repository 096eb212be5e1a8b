/**
 * The visitor connection's frames, shared by the server and the widget (types only).
 * Every frame is one JSON object with a `type`.
 */

export interface WireAttachment {
  kind: 'image' | 'video' | 'audio' | 'file'
  url: string
  name?: string
  mimeType?: string
  size?: number
}

/** A message as the visitor sees it: their own and the agents' (never internal notes). */
export interface WireMessage {
  id: string
  /** The widget's id for a visitor message, so the tab that sent it recognises it. */
  clientId: string | null
  from: 'visitor' | 'agent' | 'bot'
  text: string
  attachments: WireAttachment[]
  createdAt: string
  /** Agent messages: as the visitor's receipts left them. Visitor messages stay `sent`; `seen` frames say an agent read them. */
  status: 'sent' | 'delivered' | 'read'
  /** Buttons under a bot message (a rating, related questions): a tap sends `label` as a message with `payload`. */
  choices?: WireChoice[]
  /** The message an agent's reply answers, shown above it as a quote. */
  quote?: { text: string }
  /** Product or order cards an agent sent: title, image, price, link. */
  cards?: WireCard[]
}

export interface WireChoice { label: string, payload: string }

export interface WireCard { kind: string, title: string, imageUrl?: string, url?: string, fields?: Record<string, string> }

export interface WireWelcome {
  text: string
  /** Questions to tap: each is sent as the visitor's message. */
  choices: WireChoice[]
  /** The agent whose own welcome it is (a returning visitor's agent). */
  agent: { name: string } | null
  /** When the hub offered it: it stands among the messages at that time. */
  at: string
}

export interface WirePrechat { name: FieldRule, email: FieldRule, phone: FieldRule }
export type FieldRule = 'off' | 'optional' | 'required'

export interface WireStatus {
  online: boolean
  /** Why away: nobody online, everyone online at capacity, or outside business hours. */
  reason: 'agents_offline' | 'agents_busy' | 'closed' | null
}

/** Visitor to hub. */
export type ClientFrame =
  | { type: 'message', clientId: string, text: string, attachments?: WireAttachment[], payload?: string }
  | { type: 'typing', on: boolean }
  | { type: 'receipt', status: 'delivered' | 'read', ids: string[] }
  | { type: 'sync' }
  /** `language` and `timeZone`: the browser's (navigator.language, Intl's zone), kept on the contact unless it has its own. */
  | { type: 'page', url: string, title: string, referrer?: string, welcome?: string, language?: string, timeZone?: string }
  | { type: 'profile', name?: string, email?: string, phone?: string, prechat?: boolean }
  | { type: 'identify', userId: string, name?: string, email?: string, phone?: string, hash?: string }
  | { type: 'attributes', attributes: Record<string, string | number | boolean | null> }

/** Hub to visitor. */
export type ServerFrame =
  | {
      type: 'ready'
      token: string
      visitorId: string
      userId: string | null
      /** Whether the pre-chat form still has to be filled before the first message. */
      prechatNeeded: boolean
      prechat: WirePrechat
      offlineEmail: boolean
      email: string | null
      status: WireStatus
      title: string
      color: string
      locale: 'auto' | 'en' | 'zh'
      maxTextLength: number
      attachments: { maxBytes: number, types: string[] }
    }
  | { type: 'history', messages: WireMessage[], agent: { name: string } | null, queuePosition: number | null, seenAt: string | null }
  /** The store-entry welcome, shown before the visitor writes; null: none (they are talking already, or none is set). */
  | { type: 'welcome', welcome: WireWelcome | null }
  | { type: 'ack', clientId: string, message: WireMessage }
  | { type: 'message', message: WireMessage }
  | { type: 'typing', on: boolean }
  | { type: 'seen', at: string }
  | { type: 'queue', position: number }
  | { type: 'assigned', agent: { name: string } }
  | { type: 'status', status: WireStatus }
  | { type: 'profile', email: string | null, prechatNeeded: boolean }
  | { type: 'identified', userId: string | null, verified: boolean }
  | { type: 'error', code: string, message: string, clientId?: string, fields?: Record<string, string>, retryAfterMs?: number }
