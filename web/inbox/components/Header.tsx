import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { locale, t } from '../i18n.js'
import { askPermission, dismissAsk, mayAsk } from '../notify.js'
import { me, online } from '../state.js'
import type { Agent, AgentStatus, Locale } from '../types.js'
import { MyDialog } from './MyDialog.js'
import { hasPlaceholderName, NameDialog } from './NameDialog.js'
import { NotificationsDialog } from './NotificationsDialog.js'
import { shortcutsShown } from '../shortcuts.js'

const STATUSES: AgentStatus[] = ['online', 'busy', 'offline']

/** The agent's own welcome, sent when a conversation is given to them, and the signature under their email replies. */
function WelcomeDialog ({ onDone }: { onDone: () => void }) {
  const [text, setText] = useState(me.value?.welcome ?? '')
  const [signature, setSignature] = useState(me.value?.signature ?? '')
  const orNull = (value: string): string | null => value.trim() === '' ? null : value
  return (
    <MyDialog name="welcome-dialog" title={t('welcome.title')} changes={() => ({ welcome: orNull(text), signature: orNull(signature) })} onDone={onDone}>
      <p class="hint">{t('welcome.hint')}</p>
      <textarea rows={3} maxLength={2000} value={text} aria-label={t('welcome.title')} onInput={e => setText(e.currentTarget.value)} />
      <label>{t('welcome.signature')}
        <textarea rows={2} maxLength={1000} value={signature} onInput={e => setSignature(e.currentTarget.value)} />
      </label>
    </MyDialog>
  )
}

export type Page = 'inbox' | 'supervisor' | 'reports' | 'faq' | 'phrases' | 'spam' | 'settings'

/** Navigation, my status, language and sign-out. */
export function Header ({ page, onPage, onSignOut }: { page: Page, onPage: (p: Page) => void, onSignOut: () => void }) {
  const agent = me.value!
  const [welcome, setWelcome] = useState(false)
  const [naming, setNaming] = useState(hasPlaceholderName(agent))
  const [notifying, setNotifying] = useState(false)
  const setStatus = async (status: AgentStatus): Promise<void> => {
    me.value = await api<Agent>('PUT', '/agents/me/status', { status })
  }
  const setLocale = async (value: Locale): Promise<void> => {
    locale.value = value
    me.value = await api<Agent>('PATCH', '/agents/me', { locale: value })
  }
  return (
    <>
      <header class="top">
        <strong class="brand">Omnihub</strong>
        <nav>
          <button class={page === 'inbox' ? 'tab active' : 'tab'} onClick={() => onPage('inbox')}>{t('nav.inbox')}</button>
          {agent.role !== 'agent' && <button class={page === 'supervisor' ? 'tab active' : 'tab'} onClick={() => onPage('supervisor')}>{t('nav.supervisor')}</button>}
          <button class={page === 'reports' ? 'tab active' : 'tab'} onClick={() => onPage('reports')}>{t('nav.reports')}</button>
          <button class={page === 'faq' ? 'tab active' : 'tab'} onClick={() => onPage('faq')}>{t('nav.faq')}</button>
          <button class={page === 'phrases' ? 'tab active' : 'tab'} onClick={() => onPage('phrases')}>{t('nav.phrases')}</button>
          <button class={page === 'spam' ? 'tab active' : 'tab'} onClick={() => onPage('spam')}>{t('nav.spam')}</button>
          {agent.role !== 'agent' && <button class={page === 'settings' ? 'tab active' : 'tab'} onClick={() => onPage('settings')}>{t('nav.settings')}</button>}
        </nav>
        {!online.value && <span class="offline-banner" role="status">{t('stream.offline')}</span>}
        <span class="spacer" />
        <label class={`my-status status-${agent.status}`}>
          <span class="dot" aria-hidden="true" />
          <span class="sr-only">{t('status.label')}</span>
          <select aria-label={t('status.label')} value={agent.status} onChange={e => { void setStatus(e.currentTarget.value as AgentStatus) }}>
            {STATUSES.map(s => <option value={s}>{t(`status.${s}`)}</option>)}
          </select>
        </label>
        <select aria-label={t('language')} value={locale.value} onChange={e => { void setLocale(e.currentTarget.value as Locale) }}>
          <option value="en">English</option>
          <option value="zh">中文</option>
        </select>
        <button class="link" onClick={() => setWelcome(true)}>{t('welcome.button')}</button>
        <button class="link" onClick={() => setNotifying(true)}>{t('notify.title')}</button>
        <button class="link desk-only" onClick={() => { shortcutsShown.value = true }}>{t('keys.button')}</button>
        <span class="who" title={agent.email}>{agent.name}</span>
        <button class="link" onClick={onSignOut}>{t('signOut')}</button>
      </header>
      {welcome && <WelcomeDialog onDone={() => setWelcome(false)} />}
      {naming && <NameDialog onDone={() => setNaming(false)} />}
      {notifying && <NotificationsDialog onDone={() => setNotifying(false)} />}
      {mayAsk.value && (
        <div class="notice" role="region" aria-label="notifications">
          {t('notify.permission')} <button onClick={() => { void askPermission() }}>{t('notify.allow')}</button>
          <button class="link" onClick={dismissAsk} aria-label={t('cancel')}>×</button>
        </div>
      )}
    </>
  )
}
