import { pino } from 'pino'
import t from 'tap'
import { relayEvents, type Desk } from '../../core/desks/relay.js'
import { LocalEventBus, type HubEvent, type OutgoingEvent } from '../../core/events/index.js'
import type { Conversation } from '../../core/model/index.js'
import type { HubServices } from '../../core/services.js'
import type { EnqueueOptions, JobName } from '../../core/queue/index.js'
import { inboundBody, startTestHub } from '../helpers/hub.js'
import { until } from '../queue.contract.js'

t.test('a route job run twice (the worker died after agents were told, before the message was marked routed): agents see the message once', async t => {
  const h = await startTestHub(t, { config: { recovery: { intervalMs: 200, minAgeMs: 0 } } })
  const s = h.hub.services
  const published: HubEvent[] = []
  const unsubscribe = s.bus.subscribe(event => { published.push(event) })
  t.teardown(unsubscribe)
  const stream = await h.stream()

  // The first run's last write fails as a crash would; the recovery sweep runs the job again.
  const markRouted = s.store.markRouted
  let runs = 0
  s.store.markRouted = async id => {
    if (++runs === 1) throw new Error('worker killed')
    await markRouted(id)
  }
  const r = await h.inbound(inboundBody({ text: 'my parcel is late' }))
  t.equal(r.status, 200)
  const { messageId } = await r.json() as { messageId: string }
  await until(() => runs >= 2, 10_000, 'the job to run again')
  await new Promise(resolve => setTimeout(resolve, 300))

  const announced = published.filter(e => e.type === 'message.created' && e.message.id === messageId)
  t.equal(announced.length, 2, 'the rerun announced the message again, as at-least-once delivery does')
  t.equal(announced[0]!.key, announced[1]!.key, 'under the same key')
  t.not(announced[0]!.id, announced[1]!.id, 'and a new bus id')
  t.equal(stream.events.filter(e => e.type === 'message.created' && e.message?.id === messageId).length, 1, 'the agent\'s socket shows it once')
  const keys = stream.events.filter(e => e.key !== undefined).map(e => e.key as string)
  t.same(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'no event reached the socket twice')

  // A socket that reconnects with an id from before the repeat is not given the repeat either.
  const again = await h.addAgent({ role: 'admin' })
  const resumed = await again.stream(announced[0]!.id)
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal(resumed.events.filter(e => e.type === 'message.created' && e.message?.id === messageId).length, 0, 'the replay skips the repeat of what it had')
})

t.test('the desk relay queues one job per fact: a repeat heard after its job finished is dropped, a newer state is not', async t => {
  const bus = new LocalEventBus()
  const added: Array<{ name: JobName, data: object, jobId: string | undefined }> = []
  const queue = { add: async (name: JobName, data: object, options?: EnqueueOptions) => { added.push({ name, data, jobId: options?.jobId }) } }
  const s = { bus, queue, logger: pino({ level: 'silent' }) } as unknown as HubServices
  const desks = new Map([['slack', {} as Desk]])
  const stop = relayEvents(s, desks)
  t.teardown(stop)

  const conversation = { id: 'c1', teamId: null, assigneeId: null, updatedAt: new Date(1_000) } as unknown as Conversation
  const updated = (at: number): OutgoingEvent => ({ type: 'conversation.updated', conversationId: 'c1', conversation: { ...conversation, updatedAt: new Date(at) }, audience: { teams: 'all', agents: [] } })
  await bus.publish(updated(1_000))
  await bus.publish(updated(1_000))
  await bus.publish(updated(2_000))
  await new Promise(resolve => setImmediate(resolve))
  t.equal(added.length, 2, 'the repeat queued nothing')
  t.same(added.map(a => a.jobId), ['desk-slack-conversation.updated/c1/1000', 'desk-slack-conversation.updated/c1/2000'], 'job ids name the fact, not the bus id')
})
