import t from 'tap'
import { createSignInCode, SIGN_IN_LINK_TTL_MS } from '../../core/agents/sign-in.js'
import { inboundBody, startTestHub } from '../helpers/hub.js'
import { final, scripted, scriptedChannel } from '../helpers/scripted-channel.js'
import { callbackReceiver, eventually } from './browser.js'

/** The API routes the inbox stands on, checked without a browser. */

t.test('the list: views, filters, search, rows with contact and newest message, counts', async t => {
  const h = await startTestHub(t)
  const me = await h.addAgent({ name: 'Mia', role: 'agent', teams: [], status: 'busy' })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann Lee', email: 'ann@example.com' }, text: 'Where is my parcel?' }))
  await h.inbound(inboundBody({ from: { id: 'bo', name: '王波' }, text: '退货怎么办' }))
  const list = async (q = ''): Promise<any> => (await me.api('GET', `/conversations${q}`)).body
  const all = await list('?status=open')
  t.equal(all.items.length, 2)
  const bo = all.items[0]
  t.match(bo, { contact: { name: '王波', email: null }, lastMessage: { text: '退货怎么办', direction: 'inbound' } }, 'rows carry what the list shows')
  t.same((await list('?q=parcel')).items.map((c: any) => c.contact.name), ['Ann Lee'])
  t.same((await list('?q=ANN%40example')).items.map((c: any) => c.contact.name), ['Ann Lee'])
  t.same((await list(`?q=${encodeURIComponent('退货')}`)).items.map((c: any) => c.contact.name), ['王波'])

  await me.api('POST', `/conversations/${bo.id}/read`)
  t.same((await list('?unread=true')).items.map((c: any) => c.contact.name), ['Ann Lee'])
  t.match(await me.api('PUT', `/conversations/${bo.id}/tags`, { tags: [' vip ', 'vip', 'refund', ''] }), { status: 200, body: { tags: ['vip', 'refund'] } }, 'trimmed, once each')
  t.same((await list('?tag=vip')).items.map((c: any) => c.id), [bo.id])
  t.match(await me.api('PUT', `/conversations/${bo.id}/tags`, { tags: ['x'.repeat(65)] }), { status: 400 })

  await me.api('POST', `/conversations/${bo.id}/assign`, {})
  t.same((await list('?status=assigned&assignee=me')).items.map((c: any) => c.id), [bo.id])
  t.same((await list('?team=mine')).items, [], 'Mia has no team')
  t.match(await me.api('GET', '/conversations?status=everything'), { status: 400 })

  const counts = (await me.api('GET', '/conversations/counts')).body
  t.same(counts, { mine: { total: 1, unread: 0 }, waiting: { total: 1, unread: 1 }, bot: { total: 0, unread: 0 }, teams: { total: 0, unread: 0 }, all: { total: 2, unread: 1 }, closed: { total: 0, unread: 0 } })
  t.same((await me.api('GET', '/conversations/counts?q=parcel')).body.all, { total: 1, unread: 1 }, 'counts follow the search')

  // Paging walks the whole list once.
  for (let i = 0; i < 5; i++) await h.inbound(inboundBody({ from: { id: `c${i}` } }))
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: any = await list(`?status=open&limit=3${cursor !== null ? `&cursor=${cursor}` : ''}`)
    seen.push(...page.items.map((c: any) => c.id))
    cursor = page.nextCursor
  } while (cursor !== null)
  t.equal(new Set(seen).size, 7)
})

t.test('contacts: agents edit profile, tags and notes; bad input is refused', async t => {
  const h = await startTestHub(t)
  await h.inbound(inboundBody({ from: { id: 'ann', name: 'Ann' } }))
  const contactId = (await h.api('GET', '/conversations')).body.items[0].contactId
  const r = await h.api('PATCH', `/contacts/${contactId}`, { tags: ['vip', ' vip', 'repeat'], notes: 'Prefers mornings', email: 'ann@example.com', phone: '' })
  t.match(r, { status: 200, body: { tags: ['vip', 'repeat'], notes: 'Prefers mornings', email: 'ann@example.com', phone: null, name: 'Ann' } })
  t.match(await h.api('PATCH', `/contacts/${contactId}`, { email: 'not an email' }), { status: 400 })
  t.match(await h.api('PATCH', `/contacts/${contactId}`, { tags: ['x'.repeat(65)] }), { status: 400 })
  t.match(await h.api('PATCH', '/contacts/nobody', { notes: 'x' }), { status: 404 })
  const outsider = await h.addAgent({ teams: ['other'] })
  await h.hub.services.store.createTeam({ id: 'other', name: 'Other' }, new Date())
  const conversation = (await h.api('GET', '/conversations')).body.items[0]
  await h.api('POST', `/conversations/${conversation.id}/assign`, { teamId: 'other' })
  t.equal((await outsider.api('PATCH', `/contacts/${contactId}`, { notes: 'mine now' })).status, 200, 'the team it moved to may edit')
})

t.test('notes, a failed reply sent again, and what cannot be retried', async t => {
  const callback = await callbackReceiver(t)
  const h = await startTestHub(t, { callbackUrl: callback.url })
  await h.inbound(inboundBody())
  const id = (await h.api('GET', '/conversations')).body.items[0].id
  t.match(await h.api('POST', `/conversations/${id}/notes`, { text: 'VIP' }), { status: 201, body: { direction: 'note', text: 'VIP', status: 'sent' } })
  t.match(await h.api('POST', `/conversations/${id}/notes`, { text: '   ' }), { status: 400, body: { code: 'empty_note' } })

  callback.refuse = true
  const reply = (await h.api('POST', `/conversations/${id}/messages`, { text: 'hello' })).body
  const failed = await eventually('the failure', async () => {
    const m = (await h.api('GET', `/conversations/${id}/messages`)).body.items.find((x: any) => x.id === reply.id)
    return m.status === 'failed' && m
  })
  t.match(failed, { errorCode: 'callback_rejected' })
  callback.refuse = false
  const stream = await h.stream()
  t.match(await h.api('POST', `/conversations/${id}/messages/${reply.id}/retry`), { status: 202, body: { status: 'pending', errorCode: null } })
  await stream.next(e => e.type === 'message.updated' && e.message?.id === reply.id && e.message?.status === 'sent')
  t.equal(callback.received.length, 1, 'sent once')
  t.match(await h.api('POST', `/conversations/${id}/messages/${reply.id}/retry`), { status: 409, body: { code: 'not_failed' } })
  const inboundId = (await h.api('GET', `/conversations/${id}/messages`)).body.items[0].id
  t.match(await h.api('POST', `/conversations/${id}/messages/${inboundId}/retry`), { status: 409, body: { code: 'not_failed' } })
  t.match(await h.api('POST', `/conversations/${id}/messages/nope/retry`), { status: 404 })
})

t.test('a retry is checked again: a window closed since then refuses it with the reason', async t => {
  scripted.reset()
  const h = await startTestHub(t, { plugins: [scriptedChannel], channels: [{ id: 'shop', plugin: 'scripted' }] })
  const r = await fetch(`${h.url}/channels/shop/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ externalId: 'm1', from: { externalId: 'ann' }, text: 'hi' }) })
  const { conversationId } = await r.json() as { conversationId: string }
  scripted.sendScript = [final()]
  const h2 = await h.api('POST', `/conversations/${conversationId}/messages`, { text: 'hello' })
  await eventually('the failure', async () => (await h.api('GET', `/conversations/${conversationId}/messages`)).body.items.find((m: any) => m.id === h2.body.id).status === 'failed')
  scripted.verdict = { verdict: 'deny', code: 'outside_window', message: 'The 24-hour window closed.' }
  t.match(await h.api('POST', `/conversations/${conversationId}/messages/${h2.body.id}/retry`), { status: 422, body: { code: 'outside_window', message: 'The 24-hour window closed.' } })
})

t.test('uploads: stored, linked, and refused when empty or too large', async t => {
  const callback = await callbackReceiver(t)
  const h = await startTestHub(t, { callbackUrl: callback.url, config: { files: { maxUploadBytes: 2048 } } })
  const post = async (body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) => await fetch(`${h.url}/api/v1/files`, {
    method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/octet-stream', ...headers }, body
  })
  const ok = await post(new Uint8Array([137, 80, 78, 71]), { 'x-file-name': encodeURIComponent('照片 1.png'), 'x-file-type': 'image/png' })
  t.equal(ok.status, 201)
  const { attachment } = await ok.json() as { attachment: any }
  t.match(attachment, { kind: 'image', name: '照片 1.png', mimeType: 'image/png', size: 4, url: /^\/files\/\w+\/.+\?exp=\d+&sig=/ })
  t.equal((await fetch(`${h.url}${attachment.url}`)).status, 200, 'the signed link opens it')
  t.equal((await post(new Uint8Array(3000))).status, 413)
  t.match(await (await post(new Uint8Array(0))).json(), { code: 'empty_file' })
  t.equal((await fetch(`${h.url}/api/v1/files`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([1]) })).status, 401)
  const odd = await (await post(new Uint8Array([1]), { 'x-file-type': 'text/html; <script>' })).json() as { attachment: any }
  t.equal(odd.attachment.mimeType, 'application/octet-stream', 'a malformed type is not trusted')

  // A reply keeps the plain URL, whatever signature the agent's copy carries.
  await h.inbound(inboundBody())
  const id = (await h.api('GET', '/conversations')).body.items[0].id
  const reply = await h.api('POST', `/conversations/${id}/messages`, { text: 'see photo', attachments: [attachment] })
  t.equal(reply.status, 202)
  const stored = await h.hub.services.store.getMessage(reply.body.id)
  t.equal(stored?.attachments[0]?.url, attachment.url.split('?')[0])
  await eventually('the callback', async () => callback.received.length > 0)
  t.equal(callback.received[0].attachments[0].url, attachment.url.split('?')[0])
})

t.test('sign-in links: once, within a day, and the old token stops working', async t => {
  let now = new Date('2026-11-21T10:00:00Z')
  const h = await startTestHub(t, { clock: () => now })
  const store = h.hub.services.store
  const code = await createSignInCode(store, h.agent.id, now)
  const post = async (body: unknown) => {
    const r = await fetch(`${h.url}/api/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: r.status, body: await r.json() as any }
  }
  const [a, b] = await Promise.all([post({ code }), post({ code })])
  const won = [a, b].filter(r => r.status === 200)
  t.equal(won.length, 1, 'two tabs opening one link: one signs in')
  t.match([a, b].find(r => r.status !== 200), { status: 401, body: { code: 'sign_in_link_invalid' } })
  t.equal(won[0]!.body.agent.id, h.agent.id)
  t.equal((await h.api('GET', '/agents/me', undefined, won[0]!.body.token)).status, 200, 'the new token works')
  t.equal((await h.api('GET', '/agents/me')).status, 401, 'the previous one does not')

  const late = await createSignInCode(store, h.agent.id, now)
  now = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS + 1000)
  t.match(await post({ code: late }), { status: 401, body: { code: 'sign_in_link_expired' } })
  t.match(await post({ code: late }), { status: 401, body: { code: 'sign_in_link_invalid' } }, 'an expired link is gone too')
  t.match(await post({}), { status: 400 })
  t.match(await post({ code: 'guess' }), { status: 401, body: { code: 'sign_in_link_invalid' } })
})

t.test('me: language per agent; channels with capabilities', async t => {
  const h = await startTestHub(t)
  t.equal((await h.api('GET', '/agents/me')).body.locale, null)
  t.match(await h.api('PATCH', '/agents/me', { locale: 'zh' }), { status: 200, body: { locale: 'zh' } })
  t.equal((await h.api('GET', '/agents/me')).body.locale, 'zh')
  t.match(await h.api('PATCH', '/agents/me', { locale: 'fr' }), { status: 400 })
  t.match(await h.api('PATCH', '/agents/me', { role: 'admin' }), { status: 400 }, 'no other field through this door')
  t.match((await h.api('GET', '/channels')).body.items, [{ id: 'api', plugin: 'api', team: null, capabilities: { maxTextLength: Number } }])
})

t.test('the inbox page: served with a strict policy, revalidated by ETag', async t => {
  const h = await startTestHub(t)
  const redirect = await fetch(`${h.url}/inbox`, { redirect: 'manual' })
  t.equal(redirect.headers.get('location'), '/inbox/')
  const page = await fetch(`${h.url}/inbox/`)
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /text\/html/)
  t.match(page.headers.get('content-security-policy'), /script-src 'self'/)
  t.match(await page.text(), /<script src="inbox.js" defer>/)
  const js = await fetch(`${h.url}/inbox/inbox.js`)
  t.equal(js.status, 200)
  const etag = js.headers.get('etag')!
  t.equal((await fetch(`${h.url}/inbox/inbox.js`, { headers: { 'if-none-match': etag } })).status, 304)
  t.equal((await fetch(`${h.url}/inbox/inbox.css`)).status, 200)
  t.match(await (await fetch(`${h.url}/inbox/..%2Fhub.db`)).json(), { code: 'not_found' })
  t.equal((await fetch(`${h.url}/inbox/secret.txt`)).status, 404)
})

t.test('queue rows name the contact (supervisors)', async t => {
  const h = await startTestHub(t)
  const boss = await h.addAgent({ role: 'supervisor' })
  await h.inbound(inboundBody({ from: { id: 'q1', name: 'Queued Quinn' } }))
  const queue = await eventually('the queue', async () => {
    const items = (await boss.api('GET', '/queue')).body.items
    return items.length > 0 && items
  })
  t.match(queue[0], { contact: { name: 'Queued Quinn' }, reason: 'no_agent_online', position: 1 })
})

