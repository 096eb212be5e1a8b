export { LibreTranslate, type TranslationProvider } from './provider.js'
export { setTranslation, translateInbound, translateMessage, translateReply, translationOf, type TranslationState } from './conversation.js'
