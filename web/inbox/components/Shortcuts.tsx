import { t } from '../i18n.js'
import { SHORTCUTS, shortcutError, shortcutsShown } from '../shortcuts.js'

/** The `?` overlay: every key the inbox answers to; and what a shortcut could not do. */
export function Shortcuts () {
  return (
    <>
      {shortcutError.value !== null && <p class="error shortcut-error" role="alert">{shortcutError.value}</p>}
      {shortcutsShown.value && (
        <div class="dialog shortcuts" role="dialog" aria-label={t('keys.title')}>
          <h3>{t('keys.title')}</h3>
          <dl>
            {SHORTCUTS.map(s => <><dt>{s.keys.map(k => <kbd>{k}</kbd>)}</dt><dd>{t(s.label)}</dd></>)}
            <dt><kbd>Esc</kbd></dt><dd>{t('keys.escape')}</dd>
          </dl>
          <div class="dialog-actions"><button type="button" onClick={() => { shortcutsShown.value = false }}>{t('keys.done')}</button></div>
        </div>
      )}
    </>
  )
}
