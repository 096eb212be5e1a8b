import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { requireRole } from '../../agents/permissions.js'
import { HubError, notFound } from '../../errors.js'
import type { Agent } from '../../model/index.js'
import type { HubServices } from '../../services.js'
import type { Rules, RulesScope } from '../../settings/rules.js'
import { Value } from 'typebox/value'
import { AutoReplySettings } from '../../config/schema.js'
import { hoursProblems } from '../../hours.js'
import { patternProblem } from '../../settings/spam.js'
import { welcomeGroupsFor } from '../../settings/welcome.js'
import { secured } from './common.js'

const tags = ['settings']
const BannedWords = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000, description: 'replies containing one are refused (case- and width-insensitive); spaces around a word are trimmed and repeats dropped' })
const AutoClose = Type.Union([Type.Object({
  afterMinutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, description: 'the customer silent this long after a person\'s reply' }),
  message: Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()], { description: 'sent as the conversation closes; null: nothing' })
}, { additionalProperties: false }), Type.Null()], { description: 'null: never closes by itself' })
const Spam = Type.Object({
  phrases: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000, description: 'a customer message containing one is held as spam (matched as banned words are)' }),
  patterns: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200, description: 'regular expressions, case-insensitive, on the message\'s first 4,000 characters' })
}, { additionalProperties: false })
const WelcomeGroup = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$', description: 'what the channel and pages (omnihubSettings.welcome) name it by' }),
  name: Type.String({ minLength: 1, maxLength: 80 }),
  text: Type.String({ minLength: 1, maxLength: 2000, description: '{contact.name} is filled in for returning customers' }),
  questions: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 6, description: 'offered as buttons; a tap sends it as the customer\'s message' })
}, { additionalProperties: false })
const Welcomes = Type.Array(WelcomeGroup, { maxItems: 50, description: 'store-entry welcomes shown when a customer opens the chat, before they write; the first is the default' })
const ContentFields = { bannedWords: Type.Optional(BannedWords), spam: Type.Optional(Spam), welcomes: Type.Optional(Welcomes) }
const HubBody = Type.Object(ContentFields, { additionalProperties: false, minProperties: 1 })
const TeamBody = Type.Object({ ...ContentFields, autoClose: Type.Optional(AutoClose) }, { additionalProperties: false, minProperties: 1 })
/**
 * A schema as validation takes it inside a union, where defaults cannot apply: a property with a
 * default is optional instead, and the defaults are filled when saved.
 */
function withoutDefaults (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDefaults)
  if (schema === null || typeof schema !== 'object') return schema
  const s = schema as { properties?: Record<string, { default?: unknown }>, required?: string[] }
  const defaulted = Object.entries(s.properties ?? {}).filter(([, p]) => p.default !== undefined).map(([name]) => name)
  const copy = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'default').map(([k, v]) => [k, withoutDefaults(v)]))
  if (s.required !== undefined) copy.required = s.required.filter(name => !defaulted.includes(name))
  return copy
}
const AutoReplies = Type.Union([withoutDefaults(AutoReplySettings) as typeof AutoReplySettings, Type.Null()], { description: 'welcome, firstMessage, busy, away, businessHours, periodHours, quietMinutes (as in the YAML); null: back to the YAML\'s' })
const WelcomeGroupChoice = Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()], { description: 'the welcome group (of its team, else the hub\'s) the channel shows unless a page asks for another; null: its team\'s first' })
const ChannelBody = Type.Object({ autoClose: Type.Optional(AutoClose), autoReplies: Type.Optional(AutoReplies), welcomeGroup: Type.Optional(WelcomeGroupChoice) }, { additionalProperties: false, minProperties: 1 })
const RulesSchema = Type.Object({
  bannedWords: Type.Array(Type.String()),
  spam: Type.Object({ phrases: Type.Array(Type.String()), patterns: Type.Array(Type.String()) }),
  welcomes: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), text: Type.String(), questions: Type.Array(Type.String()) })),
  welcomeGroup: Type.Union([Type.String(), Type.Null()]),
  autoClose: Type.Union([Type.Object({ afterMinutes: Type.Integer(), message: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  autoReplies: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
})
const TeamParams = Type.Object({ team: Type.String({ minLength: 1, maxLength: 64 }) })
const ChannelParams = Type.Object({ channel: Type.String({ minLength: 1, maxLength: 64 }) })

const clean = (words: string[]): string[] => [...new Set(words.map(w => w.trim()).filter(w => w !== ''))]

/** What the schema cannot say of spam rules and welcome groups: patterns that work, group ids once each. */
function checkContent (body: { spam?: Rules['spam'], welcomes?: Rules['welcomes'] }): void {
  const problems = (body.spam?.patterns ?? []).flatMap(p => patternProblem(p) ?? [])
  if (problems.length > 0) throw new HubError('invalid_pattern', `Some spam patterns cannot be used: ${problems.join('; ')}.`, 400, { problems })
  const ids = (body.welcomes ?? []).map(g => g.id)
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i)
  if (twice.length > 0) throw new HubError('duplicate_welcome_group', `Each welcome group needs its own id; ${[...new Set(twice)].join(', ')} is used more than once.`, 400)
}

const given = (body: { bannedWords?: string[], spam?: Rules['spam'], welcomes?: Rules['welcomes'], welcomeGroup?: string | null, autoClose?: Rules['autoClose'], autoReplies?: Rules['autoReplies'] }): Partial<Rules> => ({
  ...(body.bannedWords !== undefined ? { bannedWords: clean(body.bannedWords) } : {}),
  ...(body.spam !== undefined ? { spam: { phrases: clean(body.spam.phrases), patterns: [...new Set(body.spam.patterns)] } } : {}),
  ...(body.welcomes !== undefined ? { welcomes: body.welcomes.map(g => ({ ...g, questions: clean(g.questions) })) } : {}),
  ...(body.welcomeGroup !== undefined ? { welcomeGroup: body.welcomeGroup } : {}),
  ...(body.autoClose !== undefined ? { autoClose: body.autoClose } : {}),
  ...(body.autoReplies !== undefined ? { autoReplies: body.autoReplies === null ? null : Value.Default(AutoReplySettings, structuredClone(body.autoReplies)) as Rules['autoReplies'] } : {})
})

/** A team's rules are its supervisors' (and admins'); a channel's, its team's supervisors' (every agent's channel: admins'). */
function requireTeamManager (actor: Agent, team: string | null, what: string): void {
  requireRole(actor, 'supervisor')
  if (actor.role !== 'admin' && (team === null || !actor.teams.includes(team))) throw new HubError('forbidden', `Supervisors change their own teams' ${what}; ask an admin for this one.`, 403)
}

/** The rules supervisors keep for their teams and channels and admins for the hub; every agent reads them (to see what a reply may not say). */
export async function ruleRoutes (app: FastifyInstance, s: HubServices): Promise<void> {
  const save = async (scope: RulesScope, rules: Partial<Rules>, by: Agent): Promise<Rules> => {
    await s.rules.save(scope, rules)
    s.logger.info({ by: by.id, scope, changed: Object.keys(rules) }, 'rules changed')
    return s.rules.get(scope)
  }

  app.get('/rules', {
    schema: {
      tags, summary: 'The hub\'s rules, each team\'s and each channel\'s (banned words, spam rules, welcome groups, auto-close, automatic replies), and the automatic replies each channel uses now (the app\'s, else the YAML\'s)', ...secured,
      response: { 200: Type.Object({ hub: RulesSchema, teams: Type.Record(Type.String(), RulesSchema), channels: Type.Record(Type.String(), RulesSchema), autoRepliesInUse: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())) }) }
    }
  }, async () => ({
    hub: s.rules.get('hub'),
    teams: Object.fromEntries(s.rules.teams()),
    channels: Object.fromEntries(s.rules.channels()),
    autoRepliesInUse: Object.fromEntries([...s.channels.values()].map(c => [c.id, c.autoReplies]))
  }))

  app.put<{ Body: Static<typeof HubBody> }>('/rules/hub', {
    schema: { tags, summary: 'Replace the hub-wide banned words, spam rules and/or welcome groups (admins); every process uses them at once', ...secured, body: HubBody, response: { 200: RulesSchema } }
  }, async request => {
    requireRole(request.agent!, 'admin')
    checkContent(request.body)
    return await save('hub', given(request.body), request.agent!)
  })

  app.put<{ Params: Static<typeof TeamParams>, Body: Static<typeof TeamBody> }>('/rules/teams/:team', {
    schema: { tags, summary: 'Replace a team\'s banned words, spam rules, welcome groups and/or auto-close (its supervisors, admins); every process uses them at once', ...secured, params: TeamParams, body: TeamBody, response: { 200: RulesSchema } }
  }, async request => {
    const team = request.params.team
    requireTeamManager(request.agent!, team, 'rules')
    if (await s.store.getTeam(team) === null) throw notFound('team', team)
    checkContent(request.body)
    return await save(`team:${team}`, given(request.body), request.agent!)
  })

  app.put<{ Params: Static<typeof ChannelParams>, Body: Static<typeof ChannelBody> }>('/rules/channels/:channel', {
    schema: { tags, summary: 'Replace a channel\'s automatic replies, welcome group and/or auto-close (which wins over its team\'s): the channel team\'s supervisors, admins', ...secured, params: ChannelParams, body: ChannelBody, response: { 200: RulesSchema } }
  }, async request => {
    const channel = s.config.channels.find(c => c.id === request.params.channel)
    if (channel === undefined) throw notFound('channel', request.params.channel)
    requireTeamManager(request.agent!, channel.team ?? null, 'channels\' rules')
    const problems = hoursProblems(request.body.autoReplies?.businessHours, 'autoReplies.businessHours')
    if (problems.length > 0) throw new HubError('invalid_hours', `The business hours are not right: ${problems.join('; ')}.`, 400, { problems })
    const group = request.body.welcomeGroup
    const groups = welcomeGroupsFor(s.rules, channel.team ?? null)
    if (group != null && !groups.some(g => g.id === group)) {
      throw new HubError('unknown_welcome_group', `No welcome group "${group}" for this channel; choose one of its team's or the hub's (${groups.map(g => g.id).join(', ') || 'none yet'}).`, 400)
    }
    return await save(`channel:${channel.id}`, given(request.body), request.agent!)
  })
}
