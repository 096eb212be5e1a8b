import { pino } from 'pino'
import t from 'tap'
import { InlineQueue } from '../core/queue/inline/queue.js'
import { queueContract } from './queue.contract.js'

queueContract(t, async () => new InlineQueue(pino({ level: 'silent' })))
