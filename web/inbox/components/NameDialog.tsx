import { useState } from 'preact/hooks'
import { t } from '../i18n.js'
import type { Agent } from '../types.js'
import { MyDialog } from './MyDialog.js'

/**
 * The account the hub made for itself at the first start is called "Admin" with an address of
 * its own (@omnihub.local): customers would read "Admin joined the conversation". Its first
 * sign-in asks for the person's name.
 */
export const hasPlaceholderName = (agent: Agent): boolean => agent.name === 'Admin' && agent.email.endsWith('@omnihub.local')

export function NameDialog ({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('')
  return (
    <MyDialog name="name-dialog" title={t('name.title')} changes={() => ({ name: name.trim() })} onDone={onDone}>
      <p class="hint">{t('name.hint')}</p>
      <label>{t('settings.name')} <input required maxLength={100} autoFocus value={name} onInput={e => setName(e.currentTarget.value)} /></label>
    </MyDialog>
  )
}
