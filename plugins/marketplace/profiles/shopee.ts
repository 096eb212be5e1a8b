import type { Attachment, Card } from '../../../core/model/index.js'
import { defineProfile, field, hmacHex, PushError, refused, sameSignature, type Api, type ApiCall, type Credentials, type MarketMessage } from '../profile.js'

/**
 * Shopee Open Platform v2, seller chat. Pushes (code 10, webchat) carry
 * `Authorization: hex HMAC-SHA256(partner_key, push URL + "|" + raw body)`. Shop API calls are
 * signed over partner_id + path + timestamp + access_token + shop_id; push-management calls
 * over partner_id + path + timestamp. Lost pushes come back from get_lost_push_message.
 */
const WEBCHAT = 10
const CONTENT_ERRORS = new Set(['error_content_sensitive', 'error_sensitive_word'])
const RETRY_ERRORS = new Set(['error_server', 'error_busy', 'error_too_many_requests'])

function signed (c: Credentials, method: 'GET' | 'POST', path: string, now: Date, shopLevel: boolean, body?: unknown): ApiCall {
  const timestamp = String(Math.floor(now.getTime() / 1000))
  const base = shopLevel ? `${c.appKey}${path}${timestamp}${c.accessToken}${c.shopId}` : `${c.appKey}${path}${timestamp}`
  const query: Record<string, string> = { partner_id: c.appKey, timestamp, sign: hmacHex(c.appSecret, base), ...(shopLevel ? { access_token: c.accessToken, shop_id: c.shopId } : {}) }
  return { method, path, query, body }
}

async function call (api: Api, request: ApiCall): Promise<any> {
  const { status, body } = await api(request)
  const error = String(body?.error ?? '')
  if (status >= 500 || status === 429 || RETRY_ERRORS.has(error)) throw refused('retry', 'Shopee', error || String(status), String(body?.message ?? 'unavailable'))
  if (error !== '' || status >= 400) throw refused(CONTENT_ERRORS.has(error) ? 'content' : 'final', 'Shopee', error || String(status), String(body?.message ?? 'error'))
  return body.response ?? {}
}

/** A push's `data.content` (the webchat message) in the hub's model; null for what is not a chat message. */
function toMessage (content: Record<string, any>, shopId: string): MarketMessage | null {
  const fromShop = String(content.from_id) === shopId || String(content.from_shop_id ?? '') === shopId
  const body = (content.content ?? {}) as Record<string, any>
  const attachments: Attachment[] = []
  const cards: Card[] = []
  let text = ''
  switch (content.message_type) {
    case 'text': text = String(body.text ?? ''); break
    case 'image': attachments.push({ kind: 'image', url: String(field(body.url, 'content.url')) }); break
    case 'item': cards.push({ kind: 'product', id: String(field(body.item_id, 'content.item_id')), title: String(body.item_name ?? `Item ${String(body.item_id)}`) }); break
    case 'order': cards.push({ kind: 'order', id: String(field(body.order_sn, 'content.order_sn')), title: `Order ${String(body.order_sn)}`, ...(body.order_status !== undefined ? { fields: { status: String(body.order_status) } } : {}) }); break
    default: text = `[${String(content.message_type)}]`
  }
  const buyer = String(field(fromShop ? content.to_id : content.from_id, fromShop ? 'to_id' : 'from_id'))
  return {
    conversationRef: String(field(content.conversation_id, 'conversation_id')),
    message: {
      externalId: String(field(content.message_id, 'message_id')),
      from: { externalId: buyer, ...(!fromShop && content.from_user_name !== undefined ? { name: String(content.from_user_name) } : {}) },
      text, attachments, cards,
      sentAt: new Date(Number(field(content.created_timestamp, 'created_timestamp')) * 1000),
      ...(fromShop ? { direction: 'outbound' as const } : {})
    }
  }
}

function fromPush (push: Record<string, any>, c: Credentials): MarketMessage[] {
  if (push.code !== WEBCHAT || String(push.shop_id) !== c.shopId || push.data?.type !== 'message') return []
  const one = toMessage(field(push.data.content, 'data.content'), c.shopId)
  return one === null ? [] : [one]
}

export default defineProfile({
  name: 'shopee',
  title: 'Shopee',
  ackDeadlineMs: 3000,
  limits: { maxTextLength: 1000, cards: ['product', 'order'] },

  verifyPush: (push, c) => sameSignature(push.headers.authorization, hmacHex(c.appSecret, `${c.pushUrl}|${push.raw.toString('utf8')}`)),

  parsePush (body, c) {
    const push = body as Record<string, any>
    if (typeof push?.code !== 'number' || push.shop_id === undefined) throw new PushError('a Shopee push has code and shop_id')
    return fromPush(push, c)
  },

  async send (api, { buyerId, part }, c, now) {
    const message = part.type === 'text'
      ? { message_type: 'text', content: { text: part.text } }
      : part.card.kind === 'product' ? { message_type: 'item', content: { item_id: Number(part.card.id) } } : { message_type: 'order', content: { order_sn: part.card.id } }
    const response = await call(api, signed(c, 'POST', '/api/v2/sellerchat/send_message', now, true, { to_id: Number(buyerId), ...message }))
    return String(response.message_id)
  },

  // Shopee keeps pushes it could not deliver; each page is confirmed once taken.
  async catchUp (api, _cursor, c, now) {
    const page = await call(api, signed(c, 'GET', '/api/v2/push/get_lost_push_message', now, false))
    const list = (page.push_message_list ?? []) as Array<{ shop_id: number, code: number, data: string }>
    const messages = list.flatMap(p => {
      try {
        return fromPush({ ...p, data: JSON.parse(p.data) }, c)
      } catch {
        return [] // one unreadable push must not block the rest
      }
    })
    if (page.last_message_id !== undefined && list.length > 0) {
      await call(api, signed(c, 'POST', '/api/v2/push/confirm_consumed_lost_push_message', now, false, { last_message_id: page.last_message_id }))
    }
    return { messages, cursor: page.last_message_id !== undefined ? String(page.last_message_id) : null, more: page.has_next_page === true }
  }
})
