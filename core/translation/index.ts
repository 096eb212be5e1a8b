export { LibreTranslate, type TranslationProvider } from './provider.js'
export { setTranslation, translateInbound, translateReply, translationOf, type TranslationState } from './conversation.js'
