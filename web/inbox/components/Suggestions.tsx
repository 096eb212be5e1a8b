import { useEffect, useState } from 'preact/hooks'
import { get } from '../api.js'
import { t } from '../i18n.js'
import { history } from '../state.js'
import type { FaqMatch } from '../types.js'

/**
 * The FAQ's best answers to what the customer asked since the last reply, best first, above
 * the reply box on channels where the robot is on. "Use" puts the answer in the box to edit.
 */
export function Suggestions ({ conversationId, onUse }: { conversationId: string, onUse: (text: string) => void }) {
  const [items, setItems] = useState<FaqMatch[]>([])
  const [hidden, setHidden] = useState(false)
  // Asked again whenever the conversation gets a message: a new question, or the reply that answered it.
  const latest = history.value.at(-1)?.id
  useEffect(() => {
    let live = true
    setHidden(false)
    get<{ mode: string, items: FaqMatch[] }>(`/conversations/${conversationId}/suggestions`)
      .then(r => { if (live) setItems(r.items) }, () => { if (live) setItems([]) })
    return () => { live = false }
  }, [conversationId, latest])
  if (items.length === 0 || hidden) return null
  return (
    <section class="suggestions" aria-label={t('faq.suggested')}>
      <header><strong>{t('faq.suggested')}</strong> <button class="link" aria-label={t('cancel')} onClick={() => setHidden(true)}>×</button></header>
      <ol>
        {items.map(e => (
          <li data-id={e.id}>
            <div class="question">{e.question} <span class="hint">{Math.round(e.confidence * 100)}%</span></div>
            <div class="preview">{e.answer}</div>
            <button onClick={() => onUse(e.answer)}>{t('faq.use')}</button>
          </li>
        ))}
      </ol>
    </section>
  )
}
