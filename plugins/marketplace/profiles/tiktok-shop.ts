import type { Attachment, Card } from '../../../core/model/index.js'
import { defineProfile, field, hmacHex, parseJson, PushError, refused, signedWithAppKey, type Api, type ApiCall, type Credentials, type MarketMessage } from '../profile.js'

/**
 * TikTok Shop, Customer Service API 202309. Pushes (webhook type 14, new message) carry
 * `Authorization: hex HMAC-SHA256(app_secret, app_key + raw body)`. API calls are signed with
 * the app secret over the path, the sorted query and the body, and carry x-tts-access-token.
 */
const NEW_MESSAGE = 14
const BASE = '/customer_service/202309'
/** Error codes TikTok returns for content its filter refuses. */
const CONTENT_CODES = new Set([12052003, 12052023])
const RETRY_CODES = new Set([36009004, 12052600])

/** The 202309 signature: secret + path + sorted key/values + body + secret, HMAC-SHA256 with the secret, hex. */
export function tiktokSign (secret: string, path: string, query: Record<string, string>, body: string): string {
  const pairs = Object.keys(query).filter(k => k !== 'sign' && k !== 'access_token').sort().map(k => `${k}${query[k]}`).join('')
  return hmacHex(secret, `${secret}${path}${pairs}${body}${secret}`)
}

function signed (c: Credentials, method: 'GET' | 'POST', path: string, now: Date, params: Record<string, string> = {}, body?: unknown): ApiCall {
  const query = { app_key: c.appKey, timestamp: String(Math.floor(now.getTime() / 1000)), shop_cipher: c.shopId, ...params }
  return { method, path, query: { ...query, sign: tiktokSign(c.appSecret, path, query, body === undefined ? '' : JSON.stringify(body)) }, headers: { 'x-tts-access-token': c.accessToken }, body }
}

/** One TikTok message (push `data`, or an item of a message list) in the hub's model. */
function toMessage (m: Record<string, any>, conversationId: string): MarketMessage | null {
  const sender = (m.sender ?? {}) as { im_user_id?: string, role?: string, nickname?: string }
  if (sender.role !== 'BUYER' && sender.role !== 'SHOP') return null
  const content = parseJson(m.content, 'content')
  const attachments: Attachment[] = []
  const cards: Card[] = []
  let text = ''
  switch (m.type) {
    case 'TEXT': text = String(content.content ?? ''); break
    case 'IMAGE': attachments.push({ kind: 'image', url: String(field(content.url, 'content.url')) }); break
    case 'VIDEO': attachments.push({ kind: 'video', url: String(field(content.url, 'content.url')) }); break
    case 'PRODUCT_CARD':
      cards.push({ kind: 'product', id: String(field(content.product_id, 'content.product_id')), title: String(content.title ?? `Product ${String(content.product_id)}`), ...(content.img_url !== undefined ? { imageUrl: String(content.img_url) } : {}), ...(content.price !== undefined ? { fields: { price: String(content.price) } } : {}) })
      break
    case 'ORDER_CARD':
      cards.push({ kind: 'order', id: String(field(content.order_id, 'content.order_id')), title: `Order ${String(content.order_id)}`, ...(content.status !== undefined ? { fields: { status: String(content.status) } } : {}) })
      break
    default: text = `[${String(m.type)}]`
  }
  const buyer = sender.role === 'BUYER' ? field(sender.im_user_id, 'sender.im_user_id') : String(m.buyer_id ?? '')
  if (buyer === '') return null // the shop's own message without a buyer to file it under
  return {
    conversationRef: conversationId,
    message: {
      externalId: String(field(m.message_id, 'message_id')),
      from: { externalId: buyer, ...(sender.role === 'BUYER' && sender.nickname !== undefined ? { name: sender.nickname } : {}) },
      text, attachments, cards,
      sentAt: new Date(Number(field(m.create_time, 'create_time')) * 1000),
      ...(sender.role === 'SHOP' ? { direction: 'outbound' as const } : {})
    }
  }
}

async function call (api: Api, request: ApiCall): Promise<any> {
  const { status, body } = await api(request)
  if (status >= 500 || status === 429) throw refused('retry', 'TikTok Shop', String(status), String(body?.message ?? 'unavailable'))
  if (body?.code !== 0) {
    const code = Number(body?.code)
    throw refused(CONTENT_CODES.has(code) ? 'content' : RETRY_CODES.has(code) ? 'retry' : 'final', 'TikTok Shop', String(code), String(body?.message ?? 'error'))
  }
  return body.data ?? {}
}

export default defineProfile({
  name: 'tiktok-shop',
  title: 'TikTok Shop',
  ackDeadlineMs: 3000,
  limits: { maxTextLength: 2000, cards: ['product', 'order'] },

  verifyPush: signedWithAppKey,

  parsePush (body, c) {
    const push = body as { type?: number, shop_id?: string, data?: Record<string, any> }
    if (typeof push?.type !== 'number' || push.data === undefined) throw new PushError('a TikTok Shop push has type and data')
    if (push.type !== NEW_MESSAGE || String(push.shop_id) !== c.shopId) return []
    const one = toMessage(push.data, String(field(push.data.conversation_id, 'data.conversation_id')))
    return one === null ? [] : [one]
  },

  async send (api, { conversationRef, part }, c, now) {
    if (conversationRef === null) throw refused('final', 'TikTok Shop', 'no_conversation', 'this buyer has no TikTok conversation on record yet')
    const content = part.type === 'text' ? { content: part.text } : part.card.kind === 'product' ? { product_id: part.card.id } : { order_id: part.card.id }
    const type = part.type === 'text' ? 'TEXT' : part.card.kind === 'product' ? 'PRODUCT_CARD' : 'ORDER_CARD'
    const data = await call(api, signed(c, 'POST', `${BASE}/conversations/${conversationRef}/messages`, now, {}, { type, content: JSON.stringify(content) }))
    return String(data.message_id)
  },

  // Conversations by latest activity; the messages of those active since the cursor (seconds).
  async catchUp (api, cursor, c, now) {
    const since = cursor === null ? Math.floor(now.getTime() / 1000) : Number(cursor)
    const messages: MarketMessage[] = []
    let newest = since
    const list = await call(api, signed(c, 'GET', `${BASE}/conversations`, now, { page_size: '20' }))
    for (const conversation of (list.conversations ?? []) as Array<Record<string, any>>) {
      if (Number(conversation.latest_message?.create_time ?? 0) < since) continue
      const page = await call(api, signed(c, 'GET', `${BASE}/conversations/${String(conversation.id)}/messages`, now, { page_size: '20', sort_order: 'DESC' }))
      for (const m of (page.messages ?? []) as Array<Record<string, any>>) {
        // The cursor's own second again: ingest is idempotent, and a message in it is not skipped.
        if (Number(m.create_time) < since) continue
        newest = Math.max(newest, Number(m.create_time))
        const one = toMessage(m, String(conversation.id))
        if (one !== null) messages.push(one)
      }
    }
    return { messages, cursor: String(newest), more: false }
  }
})
