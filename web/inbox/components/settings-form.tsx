import { signal } from '@preact/signals'
import { useState } from 'preact/hooks'
import { ApiError, get } from '../api.js'

export type AutoClose = { afterMinutes: number, message: string | null }
export type WelcomeGroup = { id: string, name: string, text: string, questions: string[] }
export type Rules = {
  bannedWords: string[]
  spam: { phrases: string[], patterns: string[] }
  welcomes: WelcomeGroup[]
  welcomeGroup: string | null
  autoClose: AutoClose | null
  autoReplies: Record<string, unknown> | null
}
export type AllRules = { hub: Rules, teams: Record<string, Rules>, channels: Record<string, Rules>, autoRepliesInUse: Record<string, Record<string, unknown>> }

/** The rules as the Settings page shows them: read once when it opens, and again after a save that others show. */
export const pageRules = signal<AllRules | null>(null)
export async function reloadRules (): Promise<void> { pageRules.value = await get<AllRules>('/rules') }
export const lines = (text: string): string[] => text.split('\n').map(w => w.trim()).filter(w => w !== '')

/** Runs an API call and says what came of it, in the section it belongs to. */
export function useAction (): [string | null, boolean, (work: () => Promise<string>) => Promise<void>] {
  const [said, setSaid] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)
  const run = async (work: () => Promise<string>): Promise<void> => {
    try {
      setSaid(await work()); setFailed(false)
    } catch (err) {
      setSaid(err instanceof ApiError ? err.message : String(err)); setFailed(true)
    }
  }
  return [said, failed, run]
}

export const Said = ({ said, failed }: { said: string | null, failed: boolean }) =>
  said === null ? null : <p class={failed ? 'error' : 'notice'} role={failed ? 'alert' : 'status'}>{said}</p>

/** The scopes whose team content this agent edits: the hub's (admins) and their teams' (every team for admins). */
export function editableScopes (rules: AllRules, teams: Array<{ id: string, name: string }>, me: { role: string, teams: string[] } | null, hubName: string): Array<{ key: string, name: string, path: string, rules: Rules | undefined }> {
  const admin = me?.role === 'admin'
  return [
    ...(admin ? [{ key: 'hub', name: hubName, path: '/rules/hub', rules: rules.hub }] : []),
    ...teams.filter(x => admin || me?.teams.includes(x.id) === true).map(x => ({ key: x.id, name: x.name, path: `/rules/teams/${x.id}`, rules: rules.teams[x.id] }))
  ]
}
