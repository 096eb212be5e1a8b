import { pino } from 'pino'
import t from 'tap'
import { InlineQueue } from '../core/queue/inline/queue.js'
import { queueContract } from './queue.contract.js'

queueContract(t, async () => new InlineQueue(pino({ level: 'silent' })))

t.test('a backlog of thousands runs once each, in the order added, while more keep arriving', async t => {
  const queue = new InlineQueue(pino({ level: 'silent' }))
  t.teardown(async () => await queue.close())
  const order: number[] = []
  for (let n = 0; n < 3000; n++) await queue.add('desk', { n })
  await queue.work('desk', async (data: { n: number }) => {
    order.push(data.n)
    if (data.n < 3000 && data.n % 3 === 0) await queue.add('desk', { n: 3000 + data.n / 3 })
  }, { concurrency: 1, serial: true })
  while (order.length < 4000) await new Promise(resolve => setImmediate(resolve))
  t.same(order, [...Array(4000).keys()])
})
