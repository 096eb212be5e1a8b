export { LibreTranslate, type TranslationProvider } from './provider.js'
export { setTranslation, translateInbound, translateMessage, translateReply, translationOf, translationStep, type TranslationState } from './conversation.js'
