import { formatPath } from './problems.js'

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed config.
 * A variable that is unset and has no default is a problem at that path.
 */
export function interpolate (value: unknown, env: NodeJS.ProcessEnv, problems: string[], at: Array<string | number> = []): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_whole, name: string, fallback: string | undefined) => {
      const found = env[name]
      if (found !== undefined && found !== '') return found
      if (fallback !== undefined) return fallback
      problems.push(`${formatPath(at)}: environment variable ${name} is not set`)
      return ''
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, problems, [...at, i]))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, problems, [...at, k])]))
  }
  return value
}
