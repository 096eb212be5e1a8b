import parsePhoneNumber from 'libphonenumber-js/min'

/** ISO 639 language codes, two or three letters, as the hub stores them (`zh`, `en`, `yue`). */
export const LANGUAGE = /^[a-z]{2,3}$/
/** ISO 3166-1 alpha-2 country codes (`CN`). */
export const COUNTRY = /^[A-Z]{2}$/

/** Whether the runtime knows this IANA time zone (`Asia/Shanghai`, `Etc/GMT-8`). */
export function isTimeZone (zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone }).format(0)
    return true
  } catch {
    return false
  }
}

/** A browser's or a channel's locale tag (`zh-CN`, `zh_Hans_CN`, `en`) as language and country, each when it has one. */
export function fromLocaleTag (tag: string): { language?: string, country?: string } {
  const parts = tag.replace(/_/g, '-').split('-')
  const language = parts[0]!.toLowerCase()
  const country = parts.slice(1).find(p => /^[A-Za-z]{2}$/.test(p))?.toUpperCase()
  return { ...(LANGUAGE.test(language) ? { language } : {}), ...(country !== undefined ? { country } : {}) }
}

/** The country of an international phone number (`+8613800000000` → CN), by libphonenumber's metadata; null when it cannot tell. */
export function countryOfPhone (phone: string): string | null {
  try {
    return parsePhoneNumber(phone.startsWith('+') ? phone : `+${phone}`)?.country ?? null
  } catch {
    return null
  }
}

/** A profile's language, time zone and country, with what is not well-formed left out. */
export function validLocale (profile: { language?: string, timeZone?: string, country?: string }): { language?: string, timeZone?: string, country?: string } {
  return {
    ...(profile.language !== undefined && LANGUAGE.test(profile.language) ? { language: profile.language } : {}),
    ...(profile.timeZone !== undefined && isTimeZone(profile.timeZone) ? { timeZone: profile.timeZone } : {}),
    ...(profile.country !== undefined && COUNTRY.test(profile.country) ? { country: profile.country } : {})
  }
}
