import t, { type Test } from 'tap'
import { compareWithMessages, rebuildFromMessages } from '../core/reports/rebuild.js'
import { CallbackReceiver } from './helpers/callback.js'
import { inboundBody, startTestHub, type TestAgent, type TestHub } from './helpers/hub.js'

const callback = new CallbackReceiver()
await callback.listen()
t.teardown(async () => { await callback.close() })

const HOUR = 3_600_000
const MINUTE = 60_000
// Monday 2 November 2026, 09:00 in Shanghai.
const MONDAY_9 = Date.parse('2026-11-02T01:00:00Z')
const reports = { timeZone: 'Asia/Shanghai', responseTargetSeconds: 180, alertAfterSeconds: 0, teams: { sales: { responseTargetSeconds: 60 } } }
const hours = { timezone: 'Asia/Shanghai', days: { mon: ['09:00-18:00'], tue: ['09:00-18:00'] } }

interface Day { h: TestHub, at: (ms: number) => void, boss: TestAgent, ana: TestAgent, ben: TestAgent, write: (customer: string, text: string) => Promise<string> }

async function day (t: Test, config: Record<string, unknown> = {}): Promise<Day> {
  let now = MONDAY_9
  const h = await startTestHub(t, {
    clock: () => new Date(now),
    config: { reports, ...config },
    channels: [{ id: 'api', plugin: 'api', secret: 'test-secret-0123456789', callbackUrl: callback.url, autoReplies: { businessHours: hours } }]
  })
  await h.hub.services.store.createTeam({ id: 'sales', name: 'Sales' }, new Date(now))
  const boss = await h.addAgent({ name: 'Boss', role: 'supervisor' })
  const ana = await h.addAgent({ name: 'Ana', status: 'online', capacity: 50 })
  const ben = await h.addAgent({ name: 'Ben', teams: ['sales'] })
  const write = async (customer: string, text: string): Promise<string> => {
    const r = await (await h.inbound(inboundBody({ from: { id: customer, name: customer }, text }))).json() as { conversationId: string }
    // Routing runs on the inline queue: wait until the conversation has found its agent or its place.
    for (let i = 0; i < 200; i++) {
      const c = (await h.api('GET', `/conversations/${r.conversationId}`)).body
      if (c.status !== 'unassigned' || c.queuedAt !== null) break
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    return r.conversationId
  }
  return { h, at: ms => { now = ms }, boss, ana, ben, write }
}

const reply = async (agent: TestAgent, conversationId: string, text: string): Promise<void> => {
  const r = await agent.api('POST', `/conversations/${conversationId}/messages`, { text })
  if (r.status !== 202) throw new Error(`reply refused: ${JSON.stringify(r.body)}`)
}

/** A scripted day of traffic: first responses in and out of hours, a slow answer to two messages, a tag, a transfer, a close and reopen. */
async function scriptedDay (d: Day): Promise<void> {
  const { at, boss, ana, ben, write } = d
  at(MONDAY_9)
  const c1 = await write('c1', 'hello')
  at(MONDAY_9 + 30_000)
  await reply(ana, c1, 'Hi, how can I help?')
  at(MONDAY_9 + 5 * MINUTE)
  const c2 = await write('c2', 'where is my parcel')
  at(MONDAY_9 + 6 * MINUTE)
  await write('c2', 'hello??')
  at(MONDAY_9 + 10 * MINUTE)
  await reply(ana, c2, 'Let me check')
  at(MONDAY_9 + 11 * MINUTE)
  await boss.api('PUT', `/conversations/${c2}/tags`, { tags: ['refund'] })
  at(MONDAY_9 + HOUR)
  const c4 = await write('c4', 'bulk order price?')
  await ben.api('PUT', '/agents/me/status', { status: 'online' })
  at(MONDAY_9 + HOUR + MINUTE)
  await boss.api('POST', `/conversations/${c4}/assign`, { teamId: 'sales' })
  at(MONDAY_9 + HOUR + 2 * MINUTE)
  await reply(ben, c4, 'Sales here: 10% off above 100')
  at(MONDAY_9 + 2 * HOUR)
  await boss.api('POST', `/conversations/${c1}/close`)
  at(MONDAY_9 + 2 * HOUR + 5 * MINUTE)
  await boss.api('POST', `/conversations/${c1}/reopen`)
  at(MONDAY_9 + 2 * HOUR + 6 * MINUTE)
  await write('c1', 'one more thing')
  at(MONDAY_9 + 2 * HOUR + 7 * MINUTE)
  await reply(ana, c1, 'Sure')
  // 17:59 in Shanghai, answered at 09:01 the next morning: two business minutes.
  at(MONDAY_9 + 8 * HOUR + 59 * MINUTE)
  const c3 = await write('c3', 'still open?')
  at(MONDAY_9 + 24 * HOUR + MINUTE)
  await reply(ana, c3, 'Good morning!')
  await boss.api('PUT', `/conversations/${c3}/tags`, { tags: ['refund', 'vip'] })
}

t.test('a scripted day: the figures, and the kept counters equal the ones rebuilt from the messages', async t => {
  const d = await day(t)
  await scriptedDay(d)
  const { h, boss, ana, ben } = d
  const summary = await boss.api('GET', '/reports/summary?from=2026-11-02&to=2026-11-03')
  t.equal(summary.status, 200)
  t.match(summary.body, { table: 'summary', from: '2026-11-02', to: '2026-11-03', timeZone: 'Asia/Shanghai' })
  t.match(summary.body.rows[0], {
    opened: 4, closed: 1, reopened: 1, customerMessages: 6, replies: 5, firstResponses: 4,
    answered: 6, slaBreaches: 0
  })
  // First responses: 30 s, 5 min, 2 min (c4, from its first message), 2 business minutes (c3): 9.5 min / 4.
  t.equal(summary.body.rows[0].firstResponseAvgMs, (30_000 + 5 * MINUTE + 2 * MINUTE + 2 * MINUTE) / 4)
  // In target: c1's two (30 s, 1 min) and c4 under sales' 60 s target? 2 min: no. c2: 5 and 4 min: no. c3: 15 h: no.
  t.equal(summary.body.rows[0].answeredInTarget, 2)
  t.equal(summary.body.rows[0].responseRate, Math.round(2 / 6 * 10_000) / 10_000)

  const agents = (await boss.api('GET', '/reports/agents?from=2026-11-02&to=2026-11-03')).body.rows
  const ofAgent = (id: string): any => agents.find((r: any) => r.agentId === id)
  t.match(ofAgent(ana.agent.id), { agentName: 'Ana', replies: 4, firstResponses: 3, answered: 5, answeredInTarget: 2, responseRate: 0.4 })
  t.match(ofAgent(ben.agent.id), { agentName: 'Ben', replies: 1, firstResponses: 1, answered: 1, answeredInTarget: 0 })

  const teams = (await boss.api('GET', '/reports/teams?from=2026-11-02&to=2026-11-03')).body.rows
  t.match(teams.find((r: any) => r.teamId === 'sales'), { opened: 1, customerMessages: 1, replies: 1 }, 'a transferred conversation counts with the team that has it')
  const refund = (await boss.api('GET', '/reports/summary?from=2026-11-02&to=2026-11-03&tag=refund')).body.rows[0]
  t.match(refund, { opened: 2, customerMessages: 3, replies: 2 }, 'a tag counts its conversations\' messages, also those before it was added')

  const series = (await boss.api('GET', '/reports/timeseries?from=2026-11-02&to=2026-11-03&groupBy=day')).body.rows
  t.same(series.map((r: any) => [r.bucket, r.customerMessages, r.replies]), [['2026-11-02', 6, 4], ['2026-11-03', 0, 1]], 'days in the hub\'s time zone')
  const hourly = (await boss.api('GET', '/reports/timeseries?from=2026-11-02&to=2026-11-02&groupBy=hour')).body.rows
  t.same(hourly.map((r: any) => r.bucket), ['2026-11-02 09:00', '2026-11-02 10:00', '2026-11-02 11:00', '2026-11-02 17:00'])
  const distribution = (await boss.api('GET', '/reports/first-response?from=2026-11-02&to=2026-11-03')).body.rows
  t.same(distribution.map((r: any) => r.count), [1, 2, 1, 0, 0, 0, 0, 0], 'within a minute, three and five')

  const config = h.hub.services.config
  t.same((await compareWithMessages(h.hub.services.store, config)).differences, [], 'kept == rebuilt')
  const before = await boss.api('GET', '/reports/agents?from=2026-11-02&to=2026-11-03')
  await rebuildFromMessages(h.hub.services.store, config)
  t.same((await boss.api('GET', '/reports/agents?from=2026-11-02&to=2026-11-03')).body, before.body, 'a rebuild changes nothing that was right')

  // A lost count (a crash between a message and its count) is found, and the rebuild restores it.
  await h.hub.services.store.addReportCounts([{ span: 1, hour: Math.floor(MONDAY_9 / 3_600_000), channelId: 'api', teamId: null, agentId: null, tag: '', measure: 'inbound', count: -1, sum: 0 }])
  const check = await compareWithMessages(h.hub.services.store, config)
  t.match(check.differences, [{ key: { measure: 'inbound', tag: '' }, kept: { count: 2 }, rebuilt: { count: 3 } }])
  await rebuildFromMessages(h.hub.services.store, config)
  t.same((await compareWithMessages(h.hub.services.store, config)).differences, [])
  t.equal((await boss.api('GET', `/reports/summary?from=2026-11-02&to=2026-11-03&tag=refund`)).body.rows[0].customerMessages, 3)
})

t.test('the response-time alert: a customer unanswered past the target alerts the assignee and supervisors once a day, night included, and is counted', async t => {
  // Closed all week: the alert keeps watch at night too.
  const h = await startTestHub(t, {
    config: { reports: { alertAfterSeconds: 600, alertCheckMs: 100, channels: { api: { alertAfterSeconds: 1 } } } },
    channels: [{ id: 'api', plugin: 'api', secret: 'test-secret-0123456789', callbackUrl: callback.url, autoReplies: { away: 'We are closed now.', businessHours: { timezone: 'UTC', days: {} } } }]
  })
  const boss = await h.addAgent({ name: 'Boss', role: 'supervisor' })
  const ana = await h.addAgent({ name: 'Ana', status: 'online' })
  const bossStream = await boss.stream()
  const anaStream = await ana.stream()
  const late = await (await h.inbound(inboundBody({ from: { id: 'late' }, text: 'anyone there?' }))).json() as { conversationId: string }
  const quick = await (await h.inbound(inboundBody({ from: { id: 'quick' }, text: 'quick question' }))).json() as { conversationId: string }
  await reply(ana, quick.conversationId, 'Yes?')
  const breach = await bossStream.next(e => e.type === 'conversation.sla_breached', 5000)
  t.match(breach, { conversationId: late.conversationId, targetMs: 1000 })
  t.ok(breach.waitedMs >= 1000)
  t.match(await anaStream.next(e => e.type === 'conversation.sla_breached', 5000), { conversationId: late.conversationId }, 'the assignee hears of it too')
  const messages = (await h.api('GET', `/conversations/${late.conversationId}/messages`)).body.items
  t.ok(messages.some((m: any) => m.extras?.automated === 'away'), 'the away message went out, and is no answer')
  await h.inbound(inboundBody({ from: { id: 'late' }, text: 'hello???' }))
  await new Promise(resolve => setTimeout(resolve, 1500))
  t.equal(bossStream.ofType('conversation.sla_breached').length, 1, 'once per customer per day, and not for the answered one')
  const today = new Date().toISOString().slice(0, 10)
  t.match((await boss.api('GET', `/reports/summary?from=${today}&to=${today}`)).body.rows[0], { slaBreaches: 1 })
  t.match((await boss.api('GET', `/reports/agents?from=${today}&to=${today}`)).body.rows.find((r: any) => r.agentId === ana.agent.id), { slaBreaches: 1 })
})

t.test('reports: who may read what, bad ranges, CSV of every table, and the OpenAPI document', async t => {
  const d = await day(t)
  await scriptedDay(d)
  const { h, boss, ana, ben } = d
  const own = await ana.api('GET', '/reports/summary?from=2026-11-02&to=2026-11-03')
  t.match(own.body.rows[0], { replies: 4, customerMessages: 0 }, 'an agent reads their own figures')
  t.match(await ana.api('GET', `/reports/agents?from=2026-11-02&to=2026-11-03&agent=${ben.agent.id}`), { status: 403, body: { code: 'forbidden' } })
  t.same((await ana.api('GET', '/reports/agents?from=2026-11-02&to=2026-11-03')).body.rows.map((r: any) => r.agentId), [ana.agent.id])
  for (const [query, message] of [
    ['from=2026-11-05&to=2026-11-02', /after to/],
    ['from=2026-02-30&to=2026-03-02', /not a date/],
    ['from=2023-01-01&to=2026-01-01', /at most 731/],
    ['from=2026-10-01&to=2026-11-30&groupBy=hour', /group by day or week/],
    ['channel=nope', /no channel "nope" is configured/]
  ] as const) {
    t.match(await boss.api('GET', `/reports/summary?${query}`), { status: 400, body: { code: 'invalid_report', message } }, query)
  }
  t.match(await boss.api('GET', '/reports/summary?days=3'), { status: 400, body: { code: 'invalid_request' } }, 'an unknown parameter is an error')
  t.match(await boss.api('GET', '/reports/people'), { status: 400 })
  for (const table of ['summary', 'timeseries', 'agents', 'channels', 'teams', 'first-response']) {
    const response = await fetch(`${h.url}/api/v1/reports/${table}?from=2026-11-02&to=2026-11-03&format=csv`, { headers: { authorization: `Bearer ${boss.token}` } })
    t.equal(response.status, 200, table)
    t.match(response.headers.get('content-type'), /^text\/csv/)
    t.match(response.headers.get('content-disposition'), `omnihub-${table}-2026-11-02-2026-11-03.csv`)
    const lines = (await response.text()).trim().split('\r\n')
    const json = (await boss.api('GET', `/reports/${table}?from=2026-11-02&to=2026-11-03`)).body
    t.equal(lines[0], json.columns.join(','), `${table}: the header is the columns`)
    t.equal(lines.length, json.rows.length + 1, `${table}: a line per row`)
  }
  const agentsCsv = await (await fetch(`${h.url}/api/v1/reports/agents?from=2026-11-02&to=2026-11-03&format=csv`, { headers: { authorization: `Bearer ${boss.token}` } })).text()
  t.match(agentsCsv, /,Ana,/)
  const spec = await (await fetch(`${h.url}/docs/json`)).json() as { paths: Record<string, unknown> }
  t.ok(spec.paths['/api/v1/reports/{table}'], 'in the OpenAPI document')
})
