import { t } from '../i18n.js'

/** The end of an editing form: what the hub refused, then Cancel and Save. */
export function FormEnd ({ error, onCancel }: { error: string | null | undefined, onCancel: () => void }) {
  return (
    <>
      {error != null && <p class="error" role="alert">{error}</p>}
      <div class="dialog-actions">
        <button type="button" class="link" onClick={onCancel}>{t('cancel')}</button>
        <button type="submit" class="primary">{t('faq.save')}</button>
      </div>
    </>
  )
}
