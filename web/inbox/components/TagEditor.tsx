import { useState } from 'preact/hooks'
import { ApiError } from '../api.js'
import { t } from '../i18n.js'

/** Tags as removable chips, with an input that adds one on Enter. Saves each change at once. */
export function TagEditor ({ label, tags, onSave }: { label: string, tags: string[], onSave: (tags: string[]) => Promise<void> }) {
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)
  const save = async (next: string[]): Promise<void> => {
    setError(null)
    try { await onSave(next) } catch (err) { setError(err instanceof ApiError ? err.message : String(err)) }
  }
  return (
    <div class="tag-editor" role="group" aria-label={label}>
      {tags.map(tag => <span class="tag-chip">{tag}<button class="link" aria-label={`${t('cancel')} ${tag}`} onClick={() => { void save(tags.filter(x => x !== tag)) }}>×</button></span>)}
      <input aria-label={label} placeholder={t('contact.addTag')} value={value} onInput={e => setValue(e.currentTarget.value)}
        onKeyDown={e => {
          if (e.key !== 'Enter' || e.isComposing || value.trim() === '') return
          e.preventDefault()
          if (!tags.includes(value.trim())) void save([...tags, value.trim()])
          setValue('')
        }} />
      {error !== null && <span class="error" role="alert">{error}</span>}
    </div>
  )
}
