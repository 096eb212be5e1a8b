import t from 'tap'
import { countryOfPhone, fromLocaleTag, isTimeZone } from '../core/text/index.js'
import { startTestHub } from './helpers/hub.js'
import { VisitorClient } from './helpers/visitor.js'

t.test('locale tags, phone numbers and time zones read as the contact keeps them', async t => {
  t.same(fromLocaleTag('zh-CN'), { language: 'zh', country: 'CN' })
  t.same(fromLocaleTag('zh_Hans_CN'), { language: 'zh', country: 'CN' }, 'a script subtag is skipped')
  t.same(fromLocaleTag('en'), { language: 'en' })
  t.same(fromLocaleTag('x-klingon'), {}, 'what is not a language is left out')
  t.equal(countryOfPhone('8613800138000'), 'CN')
  t.equal(countryOfPhone('+14155552671'), 'US')
  t.equal(countryOfPhone('12'), null)
  t.ok(isTimeZone('Asia/Shanghai'))
  t.ok(isTimeZone('Etc/GMT-8'))
  t.notOk(isTimeZone('Mars/Olympus'))
})

t.test('the widget\'s browser fills the contact\'s language, country and time zone; an agent corrects them, checked', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }] })
  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  v.send({ type: 'page', url: 'https://shop.example/', title: 'Shop', language: 'zh-CN', timeZone: 'Asia/Shanghai' })
  await v.next(f => f.type === 'welcome')
  await v.say('你好')
  const [conversation] = (await h.api('GET', '/conversations')).body.items
  const contact = async (): Promise<Record<string, unknown>> => (await h.api('GET', `/contacts/${conversation.contactId}`)).body
  t.match(await contact(), { language: 'zh', country: 'CN', timeZone: 'Asia/Shanghai' }, 'from the first message on')
  v.send({ type: 'page', url: 'https://shop.example/2', title: 'Shop', language: 'en-US', timeZone: 'Mars/Olympus' })
  await v.next(f => f.type === 'welcome', { from: v.frames.length })
  t.match(await contact(), { language: 'zh', country: 'CN', timeZone: 'Asia/Shanghai' }, 'what the contact has stays; a zone that does not exist is never stored')

  t.match(await h.api('PATCH', `/contacts/${conversation.contactId}`, { timeZone: 'Asia/Taipei', country: 'TW' }), { status: 200, body: { timeZone: 'Asia/Taipei', country: 'TW', language: 'zh' } })
  t.match(await h.api('PATCH', `/contacts/${conversation.contactId}`, { timeZone: 'Mars/Olympus' }), { status: 400, body: { code: 'invalid_time_zone', field: 'body.timeZone' } })
  t.match(await h.api('PATCH', `/contacts/${conversation.contactId}`, { country: 'tw' }), { status: 400, body: { field: 'body.country' } }, 'no coercion')
  t.match(await h.api('PATCH', `/contacts/${conversation.contactId}`, { language: null }), { status: 200, body: { language: null } })
})
