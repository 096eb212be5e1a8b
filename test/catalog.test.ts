import t from 'tap'
import { productsFromCsv } from '../core/catalog/index.js'
import { API_SECRET, inboundBody, startTestHub } from './helpers/hub.js'
import { VisitorClient } from './helpers/visitor.js'

const CSV = `id,title,price,image_url,url
SKU-1,Linen shirt,¥199,https://cdn.example/shirt.jpg,https://shop.example/p/shirt
SKU-2,"Canvas tote, large",¥89,,
`

const csv = async (url: string, token: string, body: string): Promise<{ status: number, body: any }> => {
  const r = await fetch(`${url}/api/v1/products/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body })
  return { status: r.status, body: await r.json() }
}

t.test('a catalog CSV is checked row by row: every problem named, nothing half-imported', async t => {
  t.match(productsFromCsv(CSV), [{ id: 'SKU-1', price: '¥199', imageUrl: 'https://cdn.example/shirt.jpg' }, { id: 'SKU-2', title: 'Canvas tote, large', imageUrl: null, url: null }])
  t.throws(() => productsFromCsv('name,price\nx,1\n'), { code: 'catalog_import_invalid', message: /at least "id" and "title"/ })
  t.throws(() => productsFromCsv('id,title,url\nA,,ftp://x\nA,Again,\n'), {
    code: 'catalog_import_invalid',
    details: { problems: ['row 2: title: required, at most 300 characters', 'row 2: url: an http(s) address', 'row 3: the id A is also on an earlier row'] }
  })
})

t.test('the catalog in the API: supervisors import and edit it, every agent finds products and sends them as cards where the channel takes cards', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }, { id: 'api', plugin: 'api', secret: API_SECRET, callbackUrl: '' }] })
  const boss = await h.addAgent({ role: 'supervisor' })
  t.match(await csv(h.url, h.token, CSV), { status: 403 }, 'agents do not change the catalog')
  t.match(await csv(h.url, boss.token, 'id,title,url\nA,,ftp://x\n'), { status: 400, body: { code: 'catalog_import_invalid', problems: [/row 2: title/, /row 2: url/] } })
  t.same((await h.api('GET', '/products')).body.items, [], 'nothing imported from a bad file')
  t.match(await csv(h.url, boss.token, CSV), { status: 200, body: { imported: 2 } })
  t.match(await boss.api('PUT', '/products/SKU-3', { title: 'Walking shoes', price: '¥459' }), { status: 200, body: { id: 'SKU-3', title: 'Walking shoes', price: '¥459', imageUrl: null } })
  t.match(await boss.api('PUT', '/products/SKU-4', { title: 'Bad', url: 'javascript:alert(1)' }), { status: 400, body: { field: 'body.url' } })
  t.match(await boss.api('PUT', '/products/SKU-4', { title: 'Hat', colour: 'red' }), { status: 400, body: { message: /colour/ } })
  const found = (await h.api('GET', '/products?q=shirt')).body.items
  t.match(found, [{ id: 'SKU-1', card: { kind: 'product', id: 'SKU-1', title: 'Linen shirt', imageUrl: 'https://cdn.example/shirt.jpg', url: 'https://shop.example/p/shirt', fields: { price: '¥199' } } }])
  t.match((await h.api('GET', `/products?url=${encodeURIComponent('https://shop.example/p/shirt')}`)).body.items, [{ id: 'SKU-1' }], 'a pasted link finds its product')
  t.match(await boss.api('DELETE', '/products/SKU-3'), { status: 204 })
  t.match(await boss.api('DELETE', '/products/SKU-3'), { status: 404 })

  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  await v.say('Do you have linen shirts?')
  const webchat = (await h.api('GET', '/conversations?channel=webchat')).body.items[0]
  const from = v.frames.length
  t.match(await h.api('POST', `/conversations/${webchat.id}/messages`, { text: 'This one:', cards: [found[0].card] }), { status: 202, body: { cards: [{ id: 'SKU-1' }] } })
  t.match((await v.next(f => f.type === 'message', { from })).message, { text: 'This one:', cards: [{ kind: 'product', title: 'Linen shirt', fields: { price: '¥199' }, url: 'https://shop.example/p/shirt' }] }, 'the visitor gets the card')

  const { conversationId } = await (await h.inbound(inboundBody({ from: { id: 'kim' }, text: 'hi' }))).json() as { conversationId: string }
  t.match(await h.api('POST', `/conversations/${conversationId}/messages`, { text: '', cards: [found[0].card] }), { status: 422, body: { code: 'cards_unsupported', message: 'api cannot carry cards; send the details as text.' } }, 'refused with the reason where the channel takes none')
})
