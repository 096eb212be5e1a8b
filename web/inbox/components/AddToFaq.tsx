import { useState } from 'preact/hooks'
import { ApiError, api } from '../api.js'
import { t } from '../i18n.js'
import type { FaqMatch, Message } from '../types.js'
import { FormEnd } from './FormEnd.js'

/** On a customer's message: adds their question, and the reply to it (or an answer written here), to the team's FAQ. */
export function AddToFaq ({ message }: { message: Message }) {
  const [open, setOpen] = useState(false)
  const [question, setQuestion] = useState(message.text)
  const [answer, setAnswer] = useState('')
  const [state, setState] = useState<{ error?: string, done?: 'added' | 'suggested' }>({})
  const save = async (e: Event): Promise<void> => {
    e.preventDefault()
    try {
      const entry = await api<FaqMatch>('POST', `/conversations/${message.conversationId}/messages/${message.id}/faq`, { question, ...(answer.trim() !== '' ? { answer } : {}) })
      setState({ done: entry.suggested ? 'suggested' : 'added' }); setOpen(false)
    } catch (err) {
      setState({ error: err instanceof ApiError ? err.message : String(err) })
    }
  }
  if (state.done !== undefined) return <span class="hint added-to-faq">{t(state.done === 'added' ? 'faq.added' : 'faq.sentForApproval')}</span>
  if (!open) return <button class="link add-to-faq" onClick={() => setOpen(true)}>{t('faq.add')}</button>
  return (
    <form class="faq-form" aria-label={t('faq.add')} onSubmit={e => { void save(e) }}>
      <label>{t('faq.question')}<input value={question} required maxLength={1000} onInput={e => setQuestion(e.currentTarget.value)} /></label>
      <label>{t('faq.answer')}<textarea rows={2} value={answer} maxLength={5000} placeholder={t('faq.answerFromReply')} onInput={e => setAnswer(e.currentTarget.value)} /></label>
      <FormEnd error={state.error} onCancel={() => setOpen(false)} />
    </form>
  )
}
