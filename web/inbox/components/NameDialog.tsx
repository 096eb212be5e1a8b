import { useState } from 'preact/hooks'
import { ApiError, api } from '../api.js'
import { t } from '../i18n.js'
import { me } from '../state.js'
import type { Agent } from '../types.js'
import { FormEnd } from './FormEnd.js'

/**
 * The account the hub made for itself at the first start is called "Admin" with an address of
 * its own (@omnihub.local): customers would read "Admin joined the conversation". Its first
 * sign-in asks for the person's name.
 */
export const hasPlaceholderName = (agent: Agent): boolean => agent.name === 'Admin' && agent.email.endsWith('@omnihub.local')

export function NameDialog ({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    try {
      me.value = await api<Agent>('PATCH', '/agents/me', { name: name.trim() })
      onDone()
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <form class="dialog name-dialog" aria-label={t('name.title')} onSubmit={e => { void save(e) }}>
      <h3>{t('name.title')}</h3>
      <p class="hint">{t('name.hint')}</p>
      <label>{t('settings.name')} <input required maxLength={100} autoFocus value={name} onInput={e => setName(e.currentTarget.value)} /></label>
      <FormEnd error={error} onCancel={onDone} />
    </form>
  )
}
