import { api } from '../api.js'
import { locale, t } from '../i18n.js'
import { askPermission, dismissAsk, mayAsk } from '../notify.js'
import { me, online } from '../state.js'
import type { Agent, AgentStatus, Locale } from '../types.js'

const STATUSES: AgentStatus[] = ['online', 'busy', 'offline']

/** Navigation, my status, language and sign-out. */
export function Header ({ page, onPage, onSignOut }: { page: 'inbox' | 'supervisor', onPage: (p: 'inbox' | 'supervisor') => void, onSignOut: () => void }) {
  const agent = me.value!
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
        <span class="who" title={agent.email}>{agent.name}</span>
        <button class="link" onClick={onSignOut}>{t('signOut')}</button>
      </header>
      {mayAsk.value && (
        <div class="notice" role="region" aria-label="notifications">
          {t('notify.permission')} <button onClick={() => { void askPermission() }}>{t('notify.allow')}</button>
          <button class="link" onClick={dismissAsk} aria-label={t('cancel')}>×</button>
        </div>
      )}
    </>
  )
}
