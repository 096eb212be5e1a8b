import { parse } from 'csv-parse/sync'
import { atLeast, visibleConversation, visibleTeams } from '../agents/permissions.js'
import { HubError, notFound } from '../errors.js'
import { newId } from '../ids.js'
import type { Agent, FaqEntry } from '../model/index.js'
import type { HubServices } from '../services.js'
import type { KeyValueStore, Store } from '../store/index.js'
import { FaqRanking } from './ranking.js'

export interface FaqInput {
  teamId?: string | null
  question: string
  alternatives?: string[]
  answer: string
  related?: string[]
}

export type FaqPatch = Partial<Omit<FaqInput, 'teamId'>>

/** Entries in one import, at most; a bigger knowledge base is imported in parts. */
const MAX_IMPORT_ROWS = 20_000

const KV = 'faq'
/** Bumped on every change: each process rebuilds its rankings when it sees a new one. */
const VERSION_KEY = 'version'

/** Same question, whatever the spacing, case or trailing punctuation. */
const sameQuestion = (a: string, b: string): boolean => normalize(a) === normalize(b)
const normalize = (q: string): string => q.normalize('NFKC').toLowerCase().replace(/[\s?？!！。.]+/gu, ' ').trim()

/** A team's entries are its supervisors'; the hub-wide ones, admins'. Admins manage all. */
const manages = (agent: Agent, teamId: string | null): boolean =>
  agent.role === 'admin' || (teamId !== null && atLeast(agent, 'supervisor') && agent.teams.includes(teamId))

function requireManager (agent: Agent, teamId: string | null): void {
  if (manages(agent, teamId)) return
  throw new HubError('forbidden', teamId === null
    ? 'Only admins manage the hub-wide FAQ; supervisors manage their team\'s (teamId).'
    : 'Only the team\'s supervisors (or an admin) manage its FAQ.', 403)
}

/** Entries an agent sees: the hub's and their teams' (admins: all). */
export async function visibleEntries (s: HubServices, agent: Agent): Promise<FaqEntry[]> {
  return await s.store.listFaqEntries(visibleTeams(agent))
}

async function changed (store: KeyValueStore): Promise<void> {
  await store.kvSet(KV, VERSION_KEY, newId())
}

/** Related ids must name entries the robot could also give in this entry's conversations. */
function checkRelated (related: string[], teamId: string | null, all: FaqEntry[], selfId?: string): string[] {
  const usable = new Set(all.filter(e => e.teamId === null || e.teamId === teamId).map(e => e.id))
  const unknown = related.filter(id => !usable.has(id) || id === selfId)
  if (unknown.length > 0) {
    throw new HubError('faq_related_unknown', `Related entries must be other entries of the same team or the hub; not: ${unknown.join(', ')}.`, 400)
  }
  return [...new Set(related)]
}

const clean = (list: string[] | undefined): string[] => [...new Set((list ?? []).map(a => a.trim()).filter(a => a !== ''))]

export async function createEntry (s: HubServices, agent: Agent, input: FaqInput, options: { asAuthor?: boolean } = {}): Promise<FaqEntry> {
  const teamId = input.teamId ?? null
  if (options.asAuthor !== true) requireManager(agent, teamId)
  if (teamId !== null && await s.store.getTeam(teamId) === null) throw notFound('team', teamId)
  const all = await s.store.listFaqEntries(teamId === null ? [] : [teamId])
  const taken = all.find(e => e.teamId === teamId && sameQuestion(e.question, input.question))
  if (taken !== undefined) throw new HubError('faq_question_taken', 'This question is already in the FAQ; edit that entry (or add this as one of its phrasings).', 409, { entryId: taken.id })
  const now = s.clock()
  const entry: FaqEntry = {
    id: newId(now.getTime()), teamId, question: input.question.trim(), alternatives: clean(input.alternatives), answer: input.answer.trim(),
    related: checkRelated(input.related ?? [], teamId, all), createdBy: agent.id,
    // An agent's addition waits for a supervisor; a manager's is live at once.
    suggested: !manages(agent, teamId), createdAt: now, updatedAt: now
  }
  await s.store.putFaqEntries([entry])
  await changed(s.store)
  return entry
}

/**
 * Any agent who sees the conversation: a customer's message (or the question written for it)
 * and the first agent reply after it (or the answer written) into the conversation's team's FAQ.
 */
export async function addFromMessage (s: HubServices, agent: Agent, conversationId: string, messageId: string, input: { question?: string, answer?: string, alternatives?: string[] }): Promise<FaqEntry> {
  const conversation = await visibleConversation(s.store, agent, conversationId)
  const message = await s.store.getMessage(messageId)
  if (message === null || message.conversationId !== conversation.id || message.direction !== 'inbound') throw notFound('customer message', messageId)
  const question = input.question ?? message.text.trim()
  if (question === '') throw new HubError('faq_question_needed', 'This message has no text; write the question to add.', 400)
  let answer = input.answer
  if (answer === undefined) {
    const { items } = await s.store.listMessages(conversation.id, { since: message.createdAt, limit: 100 })
    answer = items.find(m => m.direction === 'outbound' && m.author.type === 'agent' && m.text.trim() !== '')?.text
  }
  if (answer === undefined) throw new HubError('faq_answer_needed', 'No agent has answered this message yet; write the answer to add with it.', 400)
  return await createEntry(s, agent, { teamId: conversation.teamId, question, answer, ...(input.alternatives !== undefined ? { alternatives: input.alternatives } : {}) }, { asAuthor: true })
}

async function managed (s: HubServices, agent: Agent, id: string): Promise<FaqEntry> {
  const entry = await s.store.getFaqEntry(id)
  if (entry === null || (agent.role !== 'admin' && entry.teamId !== null && !agent.teams.includes(entry.teamId))) throw notFound('FAQ entry', id)
  requireManager(agent, entry.teamId)
  return entry
}

export async function updateEntry (s: HubServices, agent: Agent, id: string, patch: FaqPatch): Promise<FaqEntry> {
  const entry = await managed(s, agent, id)
  const all = await s.store.listFaqEntries(entry.teamId === null ? [] : [entry.teamId])
  if (patch.question !== undefined) {
    const taken = all.find(e => e.id !== id && e.teamId === entry.teamId && sameQuestion(e.question, patch.question!))
    if (taken !== undefined) throw new HubError('faq_question_taken', 'Another entry already has this question; edit that one instead.', 409, { entryId: taken.id })
  }
  const updated: FaqEntry = {
    ...entry,
    ...(patch.question !== undefined ? { question: patch.question.trim() } : {}),
    ...(patch.answer !== undefined ? { answer: patch.answer.trim() } : {}),
    ...(patch.alternatives !== undefined ? { alternatives: clean(patch.alternatives) } : {}),
    ...(patch.related !== undefined ? { related: checkRelated(patch.related, entry.teamId, all, id) } : {}),
    updatedAt: s.clock()
  }
  await s.store.putFaqEntries([updated])
  await changed(s.store)
  return updated
}

/** A supervisor of its team (or an admin) approves an agent's suggestion: the robot answers with it from now on. */
export async function approveEntry (s: HubServices, agent: Agent, id: string): Promise<FaqEntry> {
  const entry = await managed(s, agent, id)
  if (!entry.suggested) return entry
  const approved: FaqEntry = { ...entry, suggested: false, updatedAt: s.clock() }
  await s.store.putFaqEntries([approved])
  await changed(s.store)
  return approved
}

/** Removes the entry, and it from every entry that offered it as related. */
export async function deleteEntry (s: HubServices, agent: Agent, id: string): Promise<void> {
  await managed(s, agent, id)
  const offering = (await s.store.listFaqEntries('all')).filter(e => e.related.includes(id))
  await s.store.deleteFaqEntry(id)
  await s.store.putFaqEntries(offering.map(e => ({ ...e, related: e.related.filter(r => r !== id), updatedAt: s.clock() })))
  await changed(s.store)
}

/** Several phrasings, or related questions, in one CSV cell: one per line or separated by `|`. */
const cell = (value: string | undefined): string[] => clean((value ?? '').split(/\r?\n|\|/))

/**
 * A CSV knowledge base: a header row with `question` and `answer`, optionally `alternatives`
 * and `related` (questions of this file or of the FAQ). A question already in the team's FAQ is
 * updated, a new one added. Every row is checked first: any problem and nothing is written.
 */
export async function importCsv (s: HubServices, agent: Agent, csv: string, teamId: string | null): Promise<{ created: number, updated: number }> {
  requireManager(agent, teamId)
  if (teamId !== null && await s.store.getTeam(teamId) === null) throw notFound('team', teamId)
  let rows: Array<Record<string, string>>
  try {
    rows = parse(csv, { columns: (header: string[]) => header.map(h => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true, relax_column_count: true })
  } catch (err) {
    throw new HubError('faq_import_invalid', `The file is not valid CSV: ${(err as Error).message}`, 400)
  }
  if (rows.length === 0) throw new HubError('faq_import_invalid', 'The file has no rows; the first row names the columns (question, answer, alternatives, related).', 400)
  if (!('question' in rows[0]!) || !('answer' in rows[0]!)) {
    throw new HubError('faq_import_invalid', 'The first row must name the columns, with at least "question" and "answer" (optionally "alternatives" and "related").', 400)
  }
  if (rows.length > MAX_IMPORT_ROWS) throw new HubError('faq_import_invalid', `The file has ${rows.length} rows; import at most ${MAX_IMPORT_ROWS} at a time.`, 400)

  const existing = (await s.store.listFaqEntries(teamId === null ? [] : [teamId]))
  const ownByQuestion = new Map(existing.filter(e => e.teamId === teamId).map(e => [normalize(e.question), e]))
  const problems: string[] = []
  const now = s.clock()
  const entries = new Map<string, FaqEntry>()
  let created = 0
  rows.forEach((row, i) => {
    // Row 1 is the header: data rows are numbered as a spreadsheet shows them.
    const line = i + 2
    const question = row.question ?? ''
    const answer = row.answer ?? ''
    if (question === '') problems.push(`row ${line}: the question is empty`)
    if (answer === '') problems.push(`row ${line}: the answer is empty`)
    if (question.length > 1000) problems.push(`row ${line}: the question is longer than 1000 characters`)
    if (answer.length > 5000) problems.push(`row ${line}: the answer is longer than 5000 characters`)
    if (question === '' || answer === '') return
    const key = normalize(question)
    if (entries.has(key)) {
      problems.push(`row ${line}: the question "${question.slice(0, 80)}" is also on an earlier row`)
      return
    }
    const before = ownByQuestion.get(key)
    if (before === undefined) created++
    entries.set(key, {
      id: before?.id ?? newId(now.getTime()), teamId, question, alternatives: cell(row.alternatives), answer, related: [],
      createdBy: before?.createdBy ?? agent.id, suggested: false, createdAt: before?.createdAt ?? now, updatedAt: now
    })
  })
  // Related questions are named by their text: this file's, or entries already in the FAQ.
  const byQuestion = new Map([...existing.map(e => [normalize(e.question), e.id] as const), ...[...entries].map(([k, e]) => [k, e.id] as const)])
  rows.forEach((row, i) => {
    const entry = entries.get(normalize(row.question ?? ''))
    if (entry === undefined) return
    for (const question of cell(row.related)) {
      const id = byQuestion.get(normalize(question))
      if (id === undefined) problems.push(`row ${i + 2}: related question "${question.slice(0, 80)}" is neither in this file nor in the FAQ`)
      else if (id !== entry.id) entry.related.push(id)
    }
  })
  if (problems.length > 0) {
    throw new HubError('faq_import_invalid', `Nothing was imported: ${problems.length} problem(s) to fix in the file first.`, 400, { problems: problems.slice(0, 100) })
  }
  await s.store.putFaqEntries([...entries.values()])
  await changed(s.store)
  return { created, updated: entries.size - created }
}

/** Each process's rankings, per set of teams, for the knowledge base version it last saw; a build under way is shared by every job that needs it. */
const rankings = new WeakMap<Store, { version: string | null, byTeams: Map<string, Promise<FaqRanking>> }>()

/**
 * The ranking over the hub's entries and these teams' ('all': every team's): a conversation's
 * team, or what an agent sees. Rebuilt only after a change anywhere.
 */
export async function rankingFor (s: HubServices, teamIds: string[] | 'all'): Promise<FaqRanking> {
  const version = await s.store.kvGet(KV, VERSION_KEY)
  let cache = rankings.get(s.store)
  if (cache === undefined || cache.version !== version) rankings.set(s.store, cache = { version, byTeams: new Map() })
  const key = teamIds === 'all' ? '*' : [...teamIds].sort().join(',')
  let ranking = cache.byTeams.get(key)
  if (ranking === undefined) {
    // Suggestions wait for approval: the robot and agents' suggestions rank only approved entries.
    const built = s.store.listFaqEntries(teamIds).then(entries => new FaqRanking(entries.filter(e => !e.suggested)))
    cache.byTeams.set(key, ranking = built)
    // A failed read is not kept: the next job tries again.
    built.catch(() => { if (cache!.byTeams.get(key) === built) cache!.byTeams.delete(key) })
  }
  return await ranking
}

/** The ranking over what an agent sees: the hub's entries and their teams' (admins: all). */
export const agentRanking = async (s: HubServices, agent: Agent): Promise<FaqRanking> => await rankingFor(s, visibleTeams(agent))
