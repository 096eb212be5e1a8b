import { atLeast, visibleTeams } from '../agents/permissions.js'
import { HubError, notFound } from '../errors.js'
import { fileKeyOf, plainUrl } from '../files/index.js'
import type { Agent, Attachment, Contact, Phrase, PhraseScope } from '../model/index.js'
import type { HubServices } from '../services.js'
import type { AgentStore, PhrasePatch, PhraseStore } from '../store/index.js'
import { Bm25Index } from '../text/index.js'

export const MAX_PHRASE_MEDIA = 2

/** What phrases need of the hub: their store, and teams to check a team phrase against. */
type PhraseServices = Pick<HubServices, 'clock'> & { store: PhraseStore & Pick<AgentStore, 'getTeam'> }

export interface PhraseInput {
  scope: PhraseScope
  teamId?: string
  code: string
  title: string
  text: string
  attachments?: Attachment[]
}

/** Personal phrases are their owner's; a team's are its supervisors'; the hub's, admins'. Admins manage all. */
function mayManage (agent: Agent, phrase: { scope: PhraseScope, ownerId: string | null, teamId: string | null }): boolean {
  if (agent.role === 'admin') return true
  if (phrase.scope === 'personal') return phrase.ownerId === agent.id
  if (phrase.scope === 'team') return atLeast(agent, 'supervisor') && agent.teams.includes(phrase.teamId!)
  return false
}

const forbidden = (scope: PhraseScope): HubError => new HubError('forbidden', {
  personal: 'This is another agent\'s personal phrase.',
  team: 'Only the team\'s supervisors (or an admin) manage its phrases.',
  hub: 'Only admins manage phrases for the whole hub.'
}[scope], 403)

/** Media for a phrase: images or videos already in the hub's attachment store, kept as plain URLs. */
function media (attachments: Attachment[] | undefined): Attachment[] | undefined {
  if (attachments === undefined) return undefined
  if (attachments.length > MAX_PHRASE_MEDIA) throw new HubError('too_many_attachments', `A phrase carries at most ${MAX_PHRASE_MEDIA} images or videos.`, 400)
  for (const a of attachments) {
    if (a.kind !== 'image' && a.kind !== 'video') throw new HubError('phrase_media_kind', 'A phrase carries images or videos only; send other files from the reply box.', 400)
    if (fileKeyOf(a.url) === null) throw new HubError('phrase_media_not_uploaded', 'Upload the image or video first (POST /api/v1/files) and use the attachment it returns.', 400)
  }
  return attachments.map(a => ({ ...a, url: plainUrl(a.url) }))
}

export async function createPhrase (s: PhraseServices, agent: Agent, input: PhraseInput): Promise<Phrase> {
  const phrase = { scope: input.scope, ownerId: input.scope === 'personal' ? agent.id : null, teamId: input.scope === 'team' ? input.teamId ?? null : null }
  if (phrase.scope === 'team') {
    if (phrase.teamId === null) throw new HubError('team_required', 'A team phrase names its team (teamId).', 400)
    if (await s.store.getTeam(phrase.teamId) === null) throw notFound('team', phrase.teamId)
  }
  if (!mayManage(agent, phrase)) throw forbidden(phrase.scope)
  return await s.store.createPhrase({ ...phrase, code: input.code, title: input.title, text: input.text, attachments: media(input.attachments) ?? [] }, s.clock())
}

async function managed (s: PhraseServices, agent: Agent, id: string): Promise<Phrase> {
  const phrase = await s.store.getPhrase(id)
  // Someone else's personal phrase is as absent as one that does not exist.
  if (phrase === null || (phrase.scope === 'personal' && phrase.ownerId !== agent.id && agent.role !== 'admin')) throw notFound('phrase', id)
  if (!mayManage(agent, phrase)) throw forbidden(phrase.scope)
  return phrase
}

export async function updatePhrase (s: PhraseServices, agent: Agent, id: string, patch: PhrasePatch): Promise<Phrase> {
  await managed(s, agent, id)
  const attachments = media(patch.attachments)
  return await s.store.updatePhrase(id, { ...patch, ...(attachments !== undefined ? { attachments } : {}) }, s.clock())
}

export async function deletePhrase (s: PhraseServices, agent: Agent, id: string): Promise<void> {
  await managed(s, agent, id)
  await s.store.deletePhrase(id)
}

/** The agent's own phrases, their teams' and the hub's (admins: every team's). */
export async function visiblePhrases (s: PhraseServices, agent: Agent): Promise<Phrase[]> {
  return await s.store.listPhrases({ agentId: agent.id, teamIds: visibleTeams(agent) })
}

/**
 * Phrases for what the agent typed, best first. `/hi` (or `;hi` in Slack): codes starting with
 * `hi` first, shortest first. Then, and for plain words, BM25 over code, title and text
 * (Chinese by characters and pairs), so "退货怎么办" finds the returns phrase.
 */
export function findPhrases (phrases: Phrase[], query: string, limit: number): Phrase[] {
  const typed = query.trim()
  if (typed === '' || typed === '/' || typed === ';') return phrases.slice(0, limit)
  const prefix = /^[/;]/.test(typed) ? typed.slice(1).toLowerCase() : null
  const byCode = prefix === null || prefix === '' ? [] : phrases.filter(p => p.code.toLowerCase().startsWith(prefix)).sort((a, b) => a.code.length - b.code.length || a.code.localeCompare(b.code))
  const words = prefix ?? typed
  const index = new Bm25Index(phrases.map(p => [{ text: p.code, weight: 3 }, { text: p.title, weight: 2 }, { text: p.text, weight: 1 }]))
  const ranked = words === '' ? [] : index.search(words, limit).map(r => phrases[r.index]!)
  return [...new Set([...byCode, ...ranked])].slice(0, limit)
}

/** {contact.name} and {agent.name} filled ("Hi {contact.name}," with no name reads "Hi,", not "Hi ,"). */
export function fillPlaceholders (text: string, to: { contact: Contact | null, agent: Pick<Agent, 'name'> | null }): string {
  const values: Record<string, string> = {
    'contact.name': to.contact?.name ?? '',
    'agent.name': to.agent?.name ?? ''
  }
  return text
    .replace(/\{\s*(contact\.name|agent\.name)\s*\}/g, (_all, key: string) => values[key]!)
    .replace(/[ \t]+([,，.。!！?？])/g, '$1')
}

/** The phrase as it would go out to this contact from this agent: placeholders filled. */
export function expandPhrase (phrase: Phrase, to: { contact: Contact | null, agent: Agent }): { text: string, attachments: Attachment[] } {
  return { text: fillPlaceholders(phrase.text, to), attachments: phrase.attachments }
}
