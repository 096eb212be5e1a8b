import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { ApiError, api } from '../api.js'
import { me } from '../state.js'
import type { Agent } from '../types.js'
import { FormEnd } from './FormEnd.js'

/**
 * A dialog that changes the agent's own settings: Save sends `changes()` as PATCH /agents/me,
 * then `after` (if any) runs and the dialog closes; what the hub refused shows above the buttons.
 */
export function MyDialog ({ name, title, changes, after, onDone, children }: {
  name: string, title: string, changes: () => Record<string, unknown>, after?: () => Promise<void>, onDone: () => void, children: ComponentChildren
}) {
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    try {
      me.value = await api<Agent>('PATCH', '/agents/me', changes())
      await after?.()
      onDone()
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <form class={`dialog ${name}`} aria-label={title} onSubmit={e => { void save(e) }}>
      <h3>{title}</h3>
      {children}
      <FormEnd error={error} onCancel={onDone} />
    </form>
  )
}
