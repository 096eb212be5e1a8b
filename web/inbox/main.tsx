import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get, session } from './api.js'
import { ContactPanel } from './components/ContactPanel.js'
import { ConversationList } from './components/ConversationList.js'
import { ConversationPane } from './components/ConversationPane.js'
import { Faq } from './components/Faq.js'
import { Header, type Page } from './components/Header.js'
import { SignIn } from './components/SignIn.js'
import { Phrases } from './components/Phrases.js'
import { Reports } from './components/Reports.js'
import { Settings } from './components/Settings.js'
import { Shortcuts } from './components/Shortcuts.js'
import { Spam } from './components/Spam.js'
import { Supervisor } from './components/Supervisor.js'
import { browserLocale, locale, t } from './i18n.js'
import { setNotificationClick, tabTitle } from './notify.js'
import { agents, channels, counts, loadList, me, openConversationById, phoneView, teams } from './state.js'
import { listenForShortcuts } from './shortcuts.js'
import { connect, disconnect } from './stream.js'
import type { Agent, ChannelInfo, Team } from './types.js'
import './styles.css'

const pageOf = (): Page => (['supervisor', 'reports', 'faq', 'phrases', 'settings', 'spam'] as const).find(p => location.hash.startsWith(`#/${p}`)) ?? 'inbox'
const conversationOf = (): string | null => /^#\/c\/([\w-]+)/.exec(location.hash)?.[1] ?? null

/** A one-time sign-in link (#code=…) is traded for a token, and the code leaves the address bar. */
async function redeemLink (): Promise<string | null> {
  const code = /^#code=([\w-]+)/.exec(location.hash)?.[1]
  if (code === undefined) return null
  history.replaceState(null, '', location.pathname)
  try {
    const { agent, token } = await api<{ agent: Agent, token: string }>('POST', '/sign-in', { code })
    session.set(token)
    await signedIn(agent)
    return null
  } catch (err) {
    return err instanceof ApiError ? err.message : String(err)
  }
}

/** Signing in starts the working day: an offline agent goes online (a reload keeps whatever status they chose). */
async function signedIn (agent: Agent): Promise<Agent> {
  return agent.status === 'offline' ? await api<Agent>('PUT', '/agents/me/status', { status: 'online' }) : agent
}

async function start (agent: Agent): Promise<void> {
  me.value = agent
  locale.value = agent.locale ?? browserLocale()
  connect()
  const [c, a, tm] = await Promise.all([get<{ items: ChannelInfo[] }>('/channels'), get<{ items: Agent[] }>('/agents'), get<{ items: Team[] }>('/teams'), loadList()])
  channels.value = new Map(c.items.map(x => [x.id, x]))
  agents.value = a.items
  teams.value = tm.items
}

function App () {
  const [ready, setReady] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [page, setPage] = useState<Page>(pageOf())
  useEffect(() => {
    session.onExpired = () => { disconnect(); me.value = null }
    setNotificationClick(id => { location.hash = `#/c/${id}` })
    const onHash = (): void => {
      setPage(pageOf())
      const id = conversationOf()
      if (id !== null) void openConversationById(id).catch(err => setError(err instanceof ApiError ? err.message : String(err)))
    }
    window.addEventListener('hashchange', onHash)
    void (async () => {
      const linkError = await redeemLink()
      if (linkError !== null) setError(linkError)
      if (session.token !== null) {
        try {
          await start(await get<Agent>('/agents/me'))
          onHash()
        } catch (err) {
          setError(err instanceof ApiError ? err.message : String(err))
        }
      }
      setReady(true)
    })()
    return () => window.removeEventListener('hashchange', onHash)
  }, [])
  useEffect(() => listenForShortcuts(), [])
  useEffect(() => {
    // Installable, opens offline, and shows notifications on phones (only a worker can there).
    if (!('serviceWorker' in navigator)) return
    navigator.serviceWorker.register('sw.js').catch(() => {})
    const onMessage = (e: MessageEvent<{ openConversation?: string }>): void => { if (e.data.openConversation !== undefined) location.hash = `#/c/${e.data.openConversation}` }
    navigator.serviceWorker.addEventListener('message', onMessage)
    return () => navigator.serviceWorker.removeEventListener('message', onMessage)
  }, [])
  useEffect(() => { document.documentElement.lang = locale.value === 'zh' ? 'zh-CN' : 'en' }, [locale.value])
  // The agent's own conversations and the queue, unread, in the tab's title (if they want it).
  const unread = (counts.value?.mine.unread ?? 0) + (counts.value?.waiting.unread ?? 0)
  useEffect(() => { document.title = tabTitle(t('app.title'), unread) }, [locale.value, unread, me.value?.notifications.tabTitle])

  if (!ready) return <p class="loading">{t('list.loading')}</p>
  if (me.value === null) {
    return <SignIn error={error} onSignedIn={agent => { setError(null); void signedIn(agent).then(start).then(() => { if (conversationOf() !== null) void openConversationById(conversationOf()) }) }} />
  }
  const signOut = (): void => {
    // Logged, and the agent goes offline; signing out works even when the hub cannot be reached.
    void api('POST', '/agents/me/sign-out').catch(() => {})
    disconnect()
    session.clear()
    me.value = null
    void openConversationById(null)
    location.hash = ''
  }
  return (
    <div class="app">
      <Shortcuts />
      <Header page={page} onPage={p => { location.hash = p === 'inbox' ? '#/' : `#/${p}` }} onSignOut={signOut} />
      {page === 'supervisor'
        ? <Supervisor />
        : page === 'reports' ? <Reports /> : page === 'faq' ? <Faq /> : page === 'phrases' ? <Phrases /> : page === 'spam' ? <Spam /> : page === 'settings' && me.value.role !== 'agent' ? <Settings /> : (
          <div class={`inbox phone-${phoneView.value}`}>
            <ConversationList />
            <ConversationPane />
            <ContactPanel />
          </div>
          )}
    </div>
  )
}

render(<App />, document.getElementById('app')!)
