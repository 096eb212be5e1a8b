import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { requireRole } from '../../agents/permissions.js'
import { HubError, notFound } from '../../errors.js'
import type { HubServices } from '../../pipeline/index.js'
import { secured } from './common.js'

const tags = ['settings']
const RulesBody = Type.Object({
  bannedWords: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000, description: 'replies containing one are refused (case- and width-insensitive); spaces around a word are trimmed and repeats dropped' })
}, { additionalProperties: false })
const RulesSchema = Type.Object({ bannedWords: Type.Array(Type.String()) })
const TeamParams = Type.Object({ team: Type.String({ minLength: 1, maxLength: 64 }) })

const clean = (words: string[]): string[] => [...new Set(words.map(w => w.trim()).filter(w => w !== ''))]

/** The rules supervisors keep for their teams and admins for the hub; every agent reads them (to see what a reply may not say). */
export async function ruleRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  app.get('/rules', {
    schema: { tags, summary: 'The hub\'s rules and each team\'s (banned words)', ...secured, response: { 200: Type.Object({ hub: RulesSchema, teams: Type.Record(Type.String(), RulesSchema) }) } }
  }, async () => ({ hub: s.rules.get('hub'), teams: Object.fromEntries(s.rules.teams()) }))

  app.put<{ Body: Static<typeof RulesBody> }>('/rules/hub', {
    schema: { tags, summary: 'Replace the hub-wide rules (admins); every process uses them at once', ...secured, body: RulesBody, response: { 200: RulesSchema } }
  }, async request => {
    requireRole(request.agent!, 'admin')
    await s.rules.save('hub', { bannedWords: clean(request.body.bannedWords) })
    request.log.info({ by: request.agent!.id, words: request.body.bannedWords.length }, 'hub rules changed')
    return s.rules.get('hub')
  })

  app.put<{ Params: Static<typeof TeamParams>, Body: Static<typeof RulesBody> }>('/rules/teams/:team', {
    schema: { tags, summary: 'Replace a team\'s rules (its supervisors, admins); every process uses them at once', ...secured, params: TeamParams, body: RulesBody, response: { 200: RulesSchema } }
  }, async request => {
    const actor = request.agent!
    requireRole(actor, 'supervisor')
    const team = request.params.team
    if (await s.store.getTeam(team) === null) throw notFound('team', team)
    if (actor.role !== 'admin' && !actor.teams.includes(team)) throw new HubError('forbidden', 'Supervisors change their own teams\' rules; ask an admin for this one.', 403)
    await s.rules.save(`team:${team}`, { bannedWords: clean(request.body.bannedWords) })
    request.log.info({ by: actor.id, teamId: team, words: request.body.bannedWords.length }, 'team rules changed')
    return s.rules.get(`team:${team}`)
  })
}
