import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'

/** `["channels", 1, "appSecret"]` -> `channels[1].appSecret` */
export function formatPath (segments: Array<string | number>): string {
  let out = ''
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : (out === '' ? s : `.${s}`)
  return out
}

function pointerToSegments (pointer: string): Array<string | number> {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map(p => {
    const s = p.replace(/~1/g, '/').replace(/~0/g, '~')
    return /^\d+$/.test(s) ? Number(s) : s
  })
}

interface SchemaError {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message: string
}

function sentence (e: SchemaError): string | null {
  const p = e.params
  switch (e.keyword) {
    case 'boolean': return null // repeated by the additionalProperties error
    case 'type': return `must be ${String(p.type)}`
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`
    case 'minLength': return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`
    case 'maxLength': return `must be at most ${String(p.limit)} characters`
    case 'minimum': return `must be at least ${String(p.limit)}`
    case 'maximum': return `must be at most ${String(p.limit)}`
    case 'minItems': return `must have at least ${String(p.limit)} item(s)`
    case 'pattern': return `has an invalid format (expected ${String(p.pattern)})`
    case 'format': return `must be a valid ${String(p.format)}`
    default: return e.message
  }
}

/**
 * Validates `value` against `schema` after filling defaults and coercing strings from
 * `${ENV}` interpolation ("3000" -> 3000). Returns the cleaned value and every problem found.
 */
export function check<T> (schema: TSchema, value: unknown, at: Array<string | number>): { value: T, problems: string[] } {
  const cleaned = Value.Convert(schema, Value.Default(schema, Value.Clone(value)))
  const problems: string[] = []
  for (const error of Value.Errors(schema, cleaned) as unknown as SchemaError[]) {
    const path = [...at, ...pointerToSegments(error.instancePath)]
    if (error.keyword === 'required') {
      for (const name of error.params.requiredProperties as string[]) problems.push(`${formatPath([...path, name])}: required`)
    } else if (error.keyword === 'additionalProperties') {
      for (const name of error.params.additionalProperties as string[]) problems.push(`${formatPath([...path, name])}: unknown setting`)
    } else {
      const text = sentence(error)
      if (text !== null) problems.push(`${formatPath(path) || '(top level)'}: ${text}`)
    }
  }
  return { value: cleaned as T, problems: [...new Set(problems)] }
}
