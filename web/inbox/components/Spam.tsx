import { useEffect, useState } from 'preact/hooks'
import { api, get } from '../api.js'
import { t, time } from '../i18n.js'
import type { ContactSummary, Message } from '../types.js'
import { ChannelIcon } from './ChannelIcon.js'
import { Said, useAction } from './settings-form.js'

type Held = { message: Message, contact: ContactSummary | null }

/** The Spam view: messages held aside on the channels of the agent's teams, newest first, each restorable. */
export function Spam () {
  const [items, setItems] = useState<Held[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [said, failed, run] = useAction()
  const load = async (after: string | null): Promise<void> => {
    const page = await get<{ items: Held[], nextCursor: string | null }>(`/spam?limit=50${after !== null ? `&cursor=${encodeURIComponent(after)}` : ''}`)
    setItems(before => [...(after !== null ? before ?? [] : []), ...page.items])
    setCursor(page.nextCursor)
  }
  useEffect(() => { void load(null) }, [])
  const restore = (held: Held): void => {
    void run(async () => {
      await api('POST', `/spam/${held.message.id}/restore`, {})
      setItems(list => (list ?? []).filter(x => x.message.id !== held.message.id))
      return t('spam.restored')
    })
  }
  return (
    <main class="spam-view">
      <h2>{t('spam.title')}</h2>
      <p class="hint">{t('spam.hint')}</p>
      <Said said={said} failed={failed} />
      {items !== null && items.length === 0 && <p class="empty">{t('spam.empty')}</p>}
      <ul class="held-list">
        {(items ?? []).map(held => {
          const why = held.message.extras?.held
          return (
            <li class="held" data-id={held.message.id}>
              <header>
                <ChannelIcon channelId={held.message.channelId} size={13} />
                <strong>{held.contact?.name ?? held.contact?.email ?? t('someone')}</strong>
                <time dateTime={held.message.createdAt}>{time(held.message.createdAt)}</time>
                <span class="tag-chip">{why?.reason === 'blocked' ? t('spam.blocked') : t('spam.rule', { rule: why?.rule ?? '' })}</span>
              </header>
              <div class="text">{held.message.text}</div>
              <footer>
                <button type="button" onClick={() => restore(held)}>{t('spam.restore')}</button>
                <a href={`#/c/${held.message.conversationId}`}>{t('spam.open')}</a>
              </footer>
            </li>
          )
        })}
      </ul>
      {cursor !== null && <button type="button" class="link" onClick={() => { void load(cursor) }}>{t('spam.more')}</button>}
    </main>
  )
}
