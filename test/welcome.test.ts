import t from 'tap'
import { startTestHub } from './helpers/hub.js'
import { VisitorClient, type Frame } from './helpers/visitor.js'

const channels = [{ id: 'webchat', plugin: 'webchat', team: 'sales', autoReplies: { welcome: 'Thanks for writing, we answer within minutes.' } }]
const groups = [
  { id: 'everyday', name: 'Every day', text: 'Welcome {contact.name}! How can we help?', questions: ['Where is my order?', 'Do you ship abroad?'] },
  { id: 'spring-sale', name: 'Spring sale', text: 'Spring sale: 30% off linen until Sunday.', questions: ['Which sizes are left?'] }
]

/** The welcome the hub offers after the visitor opens a page (naming a group or not). */
async function welcomeOn (v: VisitorClient, group?: string): Promise<Frame['welcome']> {
  const from = v.frames.length
  v.send({ type: 'page', url: `https://shop.example/${group ?? 'home'}?${from}`, title: 'Shop', ...(group !== undefined ? { welcome: group } : {}) })
  return (await v.next(f => f.type === 'welcome', { from })).welcome
}

t.test('store-entry welcomes: team groups edited by its supervisors, the page or the channel choosing, shown before the visitor writes and once', async t => {
  const h = await startTestHub(t, { channels })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  const boss = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
  const mia = await h.addAgent({ name: 'Mia', teams: ['sales'] })

  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  t.equal(await welcomeOn(v), null, 'no group yet: no welcome')

  t.match(await mia.api('PUT', '/rules/teams/sales', { welcomes: groups }), { status: 403 }, 'agents do not edit them')
  t.match(await boss.api('PUT', '/rules/teams/sales', { welcomes: [groups[0], groups[0]] }), { status: 400, body: { code: 'duplicate_welcome_group', message: /everyday is used more than once/ } })
  t.match(await boss.api('PUT', '/rules/teams/sales', { welcomes: [{ ...groups[0], id: 'Spring Sale' }] }), { status: 400, body: { code: 'invalid_request', field: 'body.welcomes.0.id' } })
  t.match(await boss.api('PUT', '/rules/teams/sales', { welcomes: groups }), { status: 200, body: { welcomes: groups } })

  t.match(await welcomeOn(v), { text: 'Welcome! How can we help?', choices: [{ label: 'Where is my order?', payload: 'welcome' }, { label: 'Do you ship abroad?' }], agent: null }, 'the team\'s first group is the default; a new visitor has no name yet')
  t.match(await welcomeOn(v, 'spring-sale'), { text: 'Spring sale: 30% off linen until Sunday.' }, 'the page chooses its group')
  t.match(await welcomeOn(v, 'no-such-group'), { text: 'Welcome! How can we help?' }, 'a group the team does not have falls back')

  t.match(await boss.api('PUT', '/rules/channels/webchat', { welcomeGroup: 'autumn' }), { status: 400, body: { code: 'unknown_welcome_group', message: /everyday, spring-sale/ } })
  t.match(await boss.api('PUT', '/rules/channels/webchat', { welcomeGroup: 'spring-sale' }), { status: 200, body: { welcomeGroup: 'spring-sale' } })
  t.match(await welcomeOn(v), { text: /^Spring sale/ }, 'the channel chooses when the page does not')
  t.match(await welcomeOn(v, 'everyday'), { text: /^Welcome/ }, 'the page still wins')

  await welcomeOn(v, 'spring-sale')
  const ack = await v.say('Which sizes are left?', 'client-welcome-1', { payload: 'welcome' })
  const conversationId = ack.message.id === undefined ? '' : (await h.hub.services.store.getMessage(ack.message.id))!.conversationId
  const thread = (await mia.api('GET', `/conversations/${conversationId}/messages`)).body.items
  t.match(thread[0], { direction: 'inbound', text: 'Which sizes are left?', extras: { welcome: { group: 'spring-sale', text: 'Spring sale: 30% off linen until Sunday.' } } }, 'agents see which welcome the customer saw')
  t.notOk(thread.some((m: { extras: { automated?: string } | null }) => m.extras?.automated === 'welcome'), 'the greeting after the first message is not sent as well')
  t.equal(await welcomeOn(v), null, 'no welcome while they are talking')
})

t.test('a returning visitor is welcomed by their last agent\'s own welcome, with that agent\'s name', async t => {
  const h = await startTestHub(t, { channels })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date())
  const boss = await h.addAgent({ role: 'supervisor', teams: ['sales'] })
  await boss.api('PUT', '/rules/teams/sales', { welcomes: groups })
  const mia = await h.addAgent({ name: 'Mia', teams: ['sales'], status: 'online' })
  t.match(await mia.api('PATCH', '/agents/me', { welcome: 'Hi {contact.name}, Mia here again.' }), { status: 200 })

  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  v.send({ type: 'profile', name: 'Ann' })
  await v.next(f => f.type === 'profile')
  const ack = await v.say('Hello')
  const { conversationId } = (await h.hub.services.store.getMessage(ack.message.id))!
  t.match(await mia.api('POST', `/conversations/${conversationId}/assign`, {}), { status: 200 })
  t.match(await mia.api('POST', `/conversations/${conversationId}/messages`, { text: 'Hello Ann!' }), { status: 202 })
  t.match(await mia.api('POST', `/conversations/${conversationId}/close`, {}), { status: 200 })

  t.match(await welcomeOn(v), { text: 'Hi Ann, Mia here again.', agent: { name: 'Mia' }, choices: [{ label: 'Where is my order?' }, { label: 'Do you ship abroad?' }] }, 'her own welcome, with the group\'s questions')
  await h.hub.services.store.updateAgent(mia.agent.id, { deactivatedAt: new Date() })
  t.match(await welcomeOn(v), { text: 'Welcome Ann! How can we help?', agent: null }, 'a deactivated agent\'s welcome is not used; the team\'s names the returning customer')
})

t.test('hub-wide welcome groups serve channels of every agent; a bad page group is refused as a frame error', async t => {
  const h = await startTestHub(t, { channels: [{ id: 'webchat', plugin: 'webchat' }] })
  const admin = await h.addAgent({ role: 'admin' })
  t.match(await admin.api('PUT', '/rules/hub', { welcomes: [groups[1]] }), { status: 200 })
  const v = await VisitorClient.connect(h.url)
  t.teardown(() => v.close())
  await v.ready()
  t.match(await welcomeOn(v), { text: /^Spring sale/ })
  const from = v.frames.length
  v.send({ type: 'page', url: 'https://shop.example/x', title: 'x', welcome: 'Not A Slug' })
  t.match(await v.next(f => f.type === 'error', { from }), { code: 'bad_frame', message: /^The page frame is invalid/ })
})
