import { useState } from 'preact/hooks'
import { ApiError, api, session } from '../api.js'
import { t } from '../i18n.js'
import type { Agent } from '../types.js'

/** Signs in with a pasted token, checked against the hub before it is kept. */
export function SignIn ({ onSignedIn, error: initialError }: { onSignedIn: (agent: Agent) => void, error: string | null }) {
  const [token, setToken] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(initialError)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    session.set(token.trim())
    try {
      // The hub checks the token and keeps the sign-in in its log.
      onSignedIn(await api<Agent>('POST', '/agents/me/sign-in'))
    } catch (err) {
      session.clear()
      setError(err instanceof ApiError ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="sign-in">
      <form onSubmit={e => { void submit(e) }} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('signIn.title')}</h1>
        <label>
          {t('signIn.token')}
          <input name="token" type="password" autocomplete="current-password" required value={token} onInput={e => setToken(e.currentTarget.value)} />
        </label>
        <p class="hint">{t('signIn.hint')}</p>
        {error !== null && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy || token.trim() === ''}>{busy ? t('signIn.working') : t('signIn.submit')}</button>
      </form>
    </main>
  )
}
