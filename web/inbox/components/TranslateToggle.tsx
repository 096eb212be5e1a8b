import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get } from '../api.js'
import { locale, t } from '../i18n.js'
import { translationAvailable } from '../state.js'

interface State { agentLanguage: string, customerLanguage: string | null }

/** Translation for the open conversation: on shows the customer's words in the agent's language and sends replies in theirs. */
export function TranslateToggle ({ conversationId, lastInboundAt }: { conversationId: string, lastInboundAt: string | null }) {
  const [available, setAvailable] = useState(false)
  const [state, setState] = useState<State | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    setError(null)
    get<{ available: boolean, translation: State | null }>(`/conversations/${conversationId}/translation`)
      .then(r => { if (live) { setAvailable(r.available); translationAvailable.value = r.available; setState(r.translation) } }, () => {})
    return () => { live = false }
    // A new customer message may have taught the hub their language.
  }, [conversationId, lastInboundAt])
  const toggle = async (): Promise<void> => {
    setError(null)
    try {
      const r = state === null
        ? await api<{ translation: State }>('PUT', `/conversations/${conversationId}/translation`, { agentLanguage: locale.value })
        : await api<{ translation: null }>('DELETE', `/conversations/${conversationId}/translation`)
      setState(r.translation)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    }
  }
  return (
    <>
      <button aria-pressed={state !== null} disabled={!available} title={available ? undefined : t('translate.unavailable')} onClick={() => { void toggle() }}>
        {state === null ? t('translate.on') : t('translate.off')}
      </button>
      {state !== null && <span class="hint translate-state">{t('translate.state', { customer: state.customerLanguage ?? '?', agent: state.agentLanguage })}</span>}
      {error !== null && <p class="error" role="alert">{error}</p>}
    </>
  )
}
