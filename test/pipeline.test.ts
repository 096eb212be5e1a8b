import t, { type Test } from 'tap'
import { final, retryable, scripted, scriptedChannel } from './helpers/scripted-channel.js'
import { startTestHub, type TestHub } from './helpers/hub.js'
import { until } from './queue.contract.js'

/** Each queue driver runs the same pipeline behaviour. */
for (const queue of ['inline', 'bullmq'] as const) {
  t.test(`pipeline on the ${queue} queue`, async t => {
    const setup = async (t: Test): Promise<TestHub & { conversationId: string }> => {
      scripted.reset()
      const h = await startTestHub(t, { queue, plugins: [scriptedChannel], channels: [{ id: 'shop', plugin: 'scripted' }], config: { guards: { bannedWords: ['刷单', 'Guaranteed Refund'] } } })
      const response = await fetch(`${h.url}/channels/shop/inbound`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ externalId: 'in-1', from: { externalId: 'buyer-1', name: 'Bei' }, text: 'where is my order?' })
      })
      const { conversationId } = await response.json() as { conversationId: string }
      return { ...h, conversationId }
    }
    const messageOf = async (h: TestHub, id: string) => (await h.hub.services.store.getMessage(id))!

    t.test('an inbound message reaches a connected agent, routed once', async t => {
      const h = await setup(t)
      const stream = await h.stream()
      await fetch(`${h.url}/channels/shop/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ externalId: 'in-2', from: { externalId: 'buyer-1' }, text: 'hello?' }) })
      const created = await stream.next(e => e.type === 'message.created' && e.message?.externalId === 'in-2')
      t.equal(created.conversationId, h.conversationId)
      t.equal(created.message?.text, 'hello?')
      const updated = await stream.next(e => e.type === 'conversation.updated' && e.conversation?.unreadCount === 2)
      t.equal(updated.conversationId, h.conversationId)
      await until(async () => (await h.hub.services.store.listUnfinished(new Date(Date.now() + 1e6), 10)).unrouted.length === 0, 10_000, 'routed')
    })

    t.test('a reply is sent and the agent sees pending then sent', async t => {
      const h = await setup(t)
      const stream = await h.stream()
      const { status, body } = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'on its way' })
      t.equal(status, 202)
      t.match(body, { status: 'pending', direction: 'outbound', text: 'on its way', author: { type: 'agent', id: h.agent.id } })
      await stream.next(e => e.type === 'message.created' && e.message?.id === body.id)
      const sent = await stream.next(e => e.type === 'message.updated' && e.message?.id === body.id)
      t.equal(sent.message?.status, 'sent')
      t.equal(sent.message?.externalId, `scripted-${body.id}`)
      t.equal(scripted.sent.length, 1)
      t.equal(scripted.sent[0]?.contact.name, 'Bei', 'the plugin gets the contact to address')
    })

    t.test('a retryable send failure is retried, then succeeds', async t => {
      const h = await setup(t)
      scripted.sendScript = [retryable(), retryable()]
      const { body } = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'retry me' })
      await until(async () => (await messageOf(h, body.id)).status === 'sent', 10_000, 'sent')
      t.equal(scripted.sent.length, 1, 'delivered once')
      t.equal(scripted.sendScript.length, 0, 'after both failures')
    })

    t.test('a final send failure marks the message failed with its code, at once', async t => {
      const h = await setup(t)
      const stream = await h.stream()
      scripted.sendScript = [final(), undefined]
      const { body } = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'no way' })
      const failed = await stream.next(e => e.type === 'message.updated' && e.message?.id === body.id)
      t.match(failed.message, { status: 'failed', errorCode: 'remote_refused', errorMessage: 'The remote refused the message.' })
      t.equal(scripted.sendScript.length, 1, 'not retried')
    })

    t.test('retries run out: failed with the last error code', async t => {
      const h = await setup(t)
      scripted.sendScript = [retryable(), retryable(), retryable(), retryable(), retryable()]
      const { body } = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'doomed' })
      await until(async () => (await messageOf(h, body.id)).status === 'failed', 10_000, 'failed')
      t.equal((await messageOf(h, body.id)).errorCode, 'remote_busy')
      t.equal(scripted.sendScript.length, 1, 'four attempts, as configured')
    })

    t.test('an unexpected plugin exception is retried like a transient error', async t => {
      const h = await setup(t)
      scripted.sendScript = [new TypeError('bug in plugin')]
      const { body } = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'x' })
      await until(async () => (await messageOf(h, body.id)).status === 'sent', 10_000, 'sent')
      t.pass('sent after the exception')
    })

    t.test('the policy: deny and tag_required are 422 with the reason; a listed tag goes', async t => {
      const h = await setup(t)
      const closes = new Date('2026-11-20T08:00:00Z')
      scripted.verdict = { verdict: 'deny', code: 'window_closed', message: 'The customer last wrote 8 days ago.', windowClosesAt: closes }
      let r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'hi' })
      t.equal(r.status, 422)
      t.same(r.body, { code: 'window_closed', message: 'The customer last wrote 8 days ago.', verdict: 'deny', windowClosesAt: closes.toISOString() })
      r = await h.api('GET', `/conversations/${h.conversationId}/reply-policy`)
      t.match(r.body, { verdict: 'deny', code: 'window_closed', windowClosesAt: closes.toISOString() })

      scripted.verdict = { verdict: 'tag_required', tags: ['HUMAN_AGENT'], code: 'outside_window', message: 'Outside 24 h: only a human agent reply with tag HUMAN_AGENT.' }
      r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'hi' })
      t.match(r, { status: 422, body: { code: 'tag_required', tags: ['HUMAN_AGENT'] } })
      r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'hi', tag: 'ACCOUNT_UPDATE' })
      t.match(r, { status: 422, body: { code: 'tag_required', message: /ACCOUNT_UPDATE/ } })
      r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'hi', tag: 'HUMAN_AGENT' })
      t.equal(r.status, 202)
      t.equal(r.body.tag, 'HUMAN_AGENT')
      await until(async () => (await messageOf(h, r.body.id)).status === 'sent')
      t.equal(scripted.sent[0]?.message.tag, 'HUMAN_AGENT', 'the plugin sends with the tag')
    })

    t.test('the send worker re-checks the policy: a window that closed meanwhile fails the message', async t => {
      const h = await setup(t)
      scripted.sendScript = [retryable()]
      // The window closes during the first, failed try: the retry must see it, however soon it runs.
      scripted.onSend = () => { scripted.verdict = { verdict: 'deny', code: 'window_closed', message: 'The window closed.' } }
      const { body } = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'late' })
      await until(async () => (await messageOf(h, body.id)).status === 'failed', 10_000, 'failed')
      t.match(await messageOf(h, body.id), { errorCode: 'window_closed' })
      t.equal(scripted.sent.length, 0)
    })

    t.test('banned words: 422 with the words; nothing stored or sent', async t => {
      const h = await setup(t)
      const r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: '支持刷单, GUARANTEED REFUND!' })
      t.equal(r.status, 422)
      t.equal(r.body.code, 'banned_words')
      t.same(r.body.words.sort(), ['Guaranteed Refund', '刷单'].sort())
      const messages = await h.api('GET', `/conversations/${h.conversationId}/messages`)
      t.equal(messages.body.items.length, 1, 'only the customer\'s message')
    })

    t.test('channel limits: too long, empty, attachments the channel cannot carry', async t => {
      const h = await setup(t)
      let r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'x'.repeat(51) })
      t.match(r, { status: 422, body: { code: 'text_too_long', message: /51 characters.*at most 50/ } })
      r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: '   ' })
      t.match(r, { status: 400, body: { code: 'empty_reply' } })
      r = await h.api('POST', `/conversations/${h.conversationId}/messages`, { text: 'see', attachments: [{ kind: 'image', url: 'https://x/y.png' }] })
      t.match(r, { status: 422, body: { code: 'too_many_attachments' } })
    })
  })
}
