import { useState } from 'preact/hooks'
import { ApiError, api } from '../api.js'
import { t } from '../i18n.js'
import { askPermission } from '../notify.js'
import { me } from '../state.js'
import type { Agent } from '../types.js'
import { FormEnd } from './FormEnd.js'

type Preferences = Agent['notifications']
const KINDS = ['sound', 'desktop', 'tabTitle'] as const

/** How the inbox tells the agent of new messages; kept on the server, so their phone and desk follow the same choice. */
export function NotificationsDialog ({ onDone }: { onDone: () => void }) {
  const [wants, setWants] = useState<Preferences>(me.value!.notifications)
  const [error, setError] = useState<string | null>(null)
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    try {
      me.value = await api<Agent>('PATCH', '/agents/me', { notifications: wants })
      // Desktop notifications need the browser's permission once.
      if (wants.desktop && typeof Notification !== 'undefined' && Notification.permission === 'default') await askPermission()
      onDone()
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <form class="dialog notifications-dialog" aria-label={t('notify.title')} onSubmit={e => { void save(e) }}>
      <h3>{t('notify.title')}</h3>
      {KINDS.map(kind => (
        <label class="check"><input type="checkbox" name={kind} checked={wants[kind]} onChange={e => { const on = e.currentTarget.checked; setWants(w => ({ ...w, [kind]: on })) }} /> {t(`notify.${kind}`)}</label>
      ))}
      <FormEnd error={error} onCancel={onDone} />
    </form>
  )
}
