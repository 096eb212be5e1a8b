import { useState } from 'preact/hooks'
import { t } from '../i18n.js'
import { askPermission } from '../notify.js'
import { me } from '../state.js'
import type { Agent } from '../types.js'
import { MyDialog } from './MyDialog.js'

type Preferences = Agent['notifications']
const KINDS = ['sound', 'desktop', 'tabTitle'] as const

/** How the inbox tells the agent of new messages; kept on the server, so their phone and desk follow the same choice. */
export function NotificationsDialog ({ onDone }: { onDone: () => void }) {
  const [wants, setWants] = useState<Preferences>(me.value!.notifications)
  // Desktop notifications need the browser's permission once.
  const askOnce = async (): Promise<void> => { if (wants.desktop && typeof Notification !== 'undefined' && Notification.permission === 'default') await askPermission() }
  return (
    <MyDialog name="notifications-dialog" title={t('notify.title')} changes={() => ({ notifications: wants })} after={askOnce} onDone={onDone}>
      {KINDS.map(kind => (
        <label class="check"><input type="checkbox" name={kind} checked={wants[kind]} onChange={e => { const on = e.currentTarget.checked; setWants(w => ({ ...w, [kind]: on })) }} /> {t(`notify.${kind}`)}</label>
      ))}
    </MyDialog>
  )
}
