import { useEffect, useState } from 'preact/hooks'
import { get } from '../api.js'
import { t } from '../i18n.js'
import type { PhraseMatch } from '../types.js'
import { Clip } from './ChannelIcon.js'

/**
 * The phrases matching what the agent typed (`/hi`, or words in any language), best first, as
 * they would go to this customer. Arrow keys move, Enter or Tab picks, Escape closes: the reply
 * box forwards those keys through `moveBy`/`pick`.
 */
export function usePhrases (conversationId: string, query: string | null): { items: PhraseMatch[], active: number, moveBy: (n: number) => void } {
  const [items, setItems] = useState<PhraseMatch[]>([])
  const [active, setActive] = useState(0)
  useEffect(() => {
    if (query === null) { setItems([]); return }
    let live = true
    const timer = setTimeout(() => {
      get<{ items: PhraseMatch[] }>(`/conversations/${conversationId}/phrases?limit=8&q=${encodeURIComponent(query)}`)
        .then(r => { if (live) { setItems(r.items); setActive(0) } }, () => { if (live) setItems([]) })
    }, 120)
    return () => { live = false; clearTimeout(timer) }
  }, [conversationId, query])
  return { items, active, moveBy: n => setActive(i => items.length === 0 ? 0 : (i + n + items.length) % items.length) }
}

export function PhraseMenu ({ items, active, onPick }: { items: PhraseMatch[], active: number, onPick: (p: PhraseMatch) => void }) {
  return (
    <ul class="phrase-menu" role="listbox" aria-label={t('phrases.list')}>
      {items.length === 0 && <li class="empty">{t('phrases.none')}</li>}
      {items.map((p, i) => (
        <li role="option" aria-selected={i === active} class={i === active ? 'active' : ''}
          onMouseDown={e => { e.preventDefault(); onPick(p) }}>
          <strong>/{p.code}</strong> <span class="title">{p.title}</span>
          <span class="preview">{p.expanded.attachments.length > 0 && <><Clip />{p.expanded.attachments.length} </>}{p.expanded.text}</span>
        </li>
      ))}
    </ul>
  )
}
