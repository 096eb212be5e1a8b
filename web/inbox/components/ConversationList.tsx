import { useEffect, useRef, useState } from 'preact/hooks'
import { duration, t } from '../i18n.js'
import { agentName, channels, counts, filters, listLoading, loadMore, me, nextCursor, openId, rows, setFilters } from '../state.js'
import type { ListItem, Message, View } from '../types.js'
import { ChannelIcon } from './ChannelIcon.js'

const VIEWS: View[] = ['mine', 'waiting', 'bot', 'teams', 'all', 'closed']
/** Rows have one fixed height, so only the visible ones (and a few around them) are rendered. */
export const ROW_HEIGHT = 68
const OVERSCAN = 6

function Filters () {
  const f = filters.value
  // What the agent types stays theirs until applied: a live update re-rendering the filters must not reset it.
  const [q, setQ] = useState(f.q)
  const [tag, setTag] = useState(f.tag)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const search = (value: string): void => {
    setQ(value)
    clearTimeout(timer.current)
    timer.current = setTimeout(() => setFilters({ q: value }), 250)
  }
  return (
    <div class="filters">
      <div class="views" role="tablist">
        {VIEWS.map(view => {
          const c = counts.value?.[view]
          return (
            <button role="tab" aria-selected={f.view === view} class={f.view === view ? 'view active' : 'view'} data-view={view} onClick={() => setFilters({ view })}>
              {t(`view.${view}`)}
              {c !== undefined && view !== 'closed' && <span class="count" title={`${c.unread} / ${c.total}`}>{c.total}{c.unread > 0 && <b class="unread-dot" aria-label={`${c.unread} unread`}>{c.unread}</b>}</span>}
            </button>
          )
        })}
      </div>
      <input type="search" class="search" placeholder={t('filter.search')} aria-label={t('filter.search')} value={q} onInput={e => search(e.currentTarget.value)} />
      <div class="row-filters">
        <select aria-label={t('filter.channel')} value={f.channel} onChange={e => setFilters({ channel: e.currentTarget.value })}>
          <option value="">{t('filter.allChannels')}</option>
          {[...channels.value.keys()].map(id => <option value={id}>{id}</option>)}
        </select>
        <input class="tag-filter" placeholder={t('filter.tag')} aria-label={t('filter.tag')} value={tag}
          onInput={e => setTag(e.currentTarget.value)} onChange={e => setFilters({ tag: e.currentTarget.value.trim() })} />
        <label class="check"><input type="checkbox" checked={f.unread} onChange={e => setFilters({ unread: e.currentTarget.checked })} /> {t('filter.unread')}</label>
      </div>
    </div>
  )
}

/** Who wrote the newest message, as the preview names them: you, a colleague by name, the robot, or a note. */
function previewAuthor (last: Message): string {
  if (last.direction === 'note') return `${t('pane.notes')}: `
  if (last.direction !== 'outbound') return ''
  if (last.author.type !== 'agent') return `${t('msg.bot')}: `
  return last.author.id === me.value?.id ? `${t('pane.you')}: ` : `${agentName(last.author.id) || t('msg.colleague')}: `
}

function Row ({ row, top }: { row: ListItem, top: number }) {
  const last = row.lastMessage
  const name = row.contact?.name ?? row.contact?.email ?? t('someone')
  const preview = last === null ? t('list.noMessages') : `${previewAuthor(last)}${last.text || (last.attachments[0]?.name ?? last.cards[0]?.title ?? '')}`
  return (
    <li class={`conv-row${openId.value === row.id ? ' open' : ''}${row.unreadCount > 0 ? ' unread' : ''}`} style={{ top: `${top}px` }}
      data-id={row.id} role="option" aria-selected={openId.value === row.id} tabIndex={0}
      onClick={() => { location.hash = `#/c/${row.id}` }} onKeyDown={e => { if (e.key === 'Enter') location.hash = `#/c/${row.id}` }}>
      <ChannelIcon channelId={row.channelId} size={18} />
      <div class="conv-main">
        <div class="conv-line">
          <span class="conv-name">{name}</span>
          {row.presence?.online === true && <span class="on-site" title={row.presence.title ?? row.presence.url ?? ''}>{t('presence.onSite')}</span>}
          {row.moodAlertAt !== null && row.status !== 'closed' && <span class="mood" title={t('mood.title')}>{t('mood.upset')}</span>}
          <span class="conv-time">{duration(Date.now() - new Date(row.lastActivityAt).getTime())}</span>
        </div>
        <div class="conv-line">
          <span class="conv-preview">{preview}</span>
          {row.unreadCount > 0 && <span class="badge" aria-label={`${row.unreadCount} unread`}>{row.unreadCount}</span>}
        </div>
      </div>
    </li>
  )
}

/** The conversation list: filters, then a virtualized list that pages in more as it scrolls. */
export function ConversationList () {
  const scroller = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(600)
  useEffect(() => {
    const el = scroller.current!
    const observer = new ResizeObserver(() => setHeight(el.clientHeight))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  useEffect(() => { scroller.current!.scrollTop = 0; setScrollTop(0) }, [filters.value])
  const all = rows.value
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(all.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN)
  const onScroll = (): void => {
    const el = scroller.current!
    setScrollTop(el.scrollTop)
    if (el.scrollTop + el.clientHeight > el.scrollHeight - ROW_HEIGHT * 20 && nextCursor.value !== null) void loadMore()
  }
  return (
    <section class="list-pane" aria-label={t('nav.inbox')}>
      <Filters />
      <div class="scroller" ref={scroller} onScroll={onScroll}>
        <ul class="conv-list" role="listbox" aria-label={t('nav.inbox')} style={{ height: `${all.length * ROW_HEIGHT}px` }}>
          {all.slice(first, last).map((row, i) => <Row key={row.id} row={row} top={(first + i) * ROW_HEIGHT} />)}
        </ul>
        {all.length === 0 && !listLoading.value && <p class="empty">{t('list.empty')}</p>}
        {listLoading.value && <p class="loading">{t('list.loading')}</p>}
      </div>
    </section>
  )
}
