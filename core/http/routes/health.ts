import type { FastifyInstance } from 'fastify'
import type { HubServices } from '../../services.js'

const within = async (ms: number, check: () => Promise<void>): Promise<'ok' | 'unreachable'> => {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([check(), new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timeout')), ms) })])
    return 'ok'
  } catch {
    return 'unreachable'
  } finally {
    clearTimeout(timer)
  }
}

/** Liveness (the process answers) and readiness (its store and queue answer too). */
export async function healthRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const [store, queue] = await Promise.all([within(2000, async () => await s.store.ping()), within(2000, async () => await s.queue.ping())])
    // A broken channel or desk is reported but does not take the hub out of service: the others still work.
    const states = (ids: Iterable<string>, problems: Map<string, { code: string }>): Record<string, string> =>
      Object.fromEntries([...ids].map(id => [id, problems.has(id) ? `unhealthy: ${problems.get(id)!.code}` : 'ok']))
    const checks = { store, queue, channels: states(s.channels.keys(), s.channelHealth), ...(s.desks.size > 0 ? { desks: states(s.desks.keys(), s.deskHealth) } : {}) }
    if (store === 'ok' && queue === 'ok') return { status: 'ready', checks }
    return await reply.status(503).send({ code: 'not_ready', message: 'The hub cannot reach its store or queue; see checks.', checks })
  })
}
