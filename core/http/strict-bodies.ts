import { AjvCompiler } from '@fastify/ajv-compiler'
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify'
import { HubError } from '../errors.js'

type Schema = Record<string, unknown>

/**
 * Objects in a body schema take only the fields they name, unless they say otherwise: an
 * unknown field is a 400 naming it, never silently dropped.
 */
function closed (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed)
  if (schema === null || typeof schema !== 'object') return schema
  const copy: Schema = Object.fromEntries(Object.entries(schema as Schema).map(([k, v]) => [k, k === 'properties' || k === 'patternProperties'
    ? Object.fromEntries(Object.entries(v as Schema).map(([name, s]) => [name, closed(s)]))
    : closed(v)]))
  if (copy.type === 'object' && copy.properties !== undefined && copy.additionalProperties === undefined) copy.additionalProperties = false
  return copy
}

/**
 * Request bodies are validated strictly: no type coercion (`{"text": 1}` is not the text "1",
 * `{"tags": "x"}` not `["x"]`) and no unknown fields. Query strings, params and headers arrive as
 * text and keep Fastify's coercion of numbers and booleans; a query string's unknown parameter
 * is an error too where its schema is closed (Fastify's default would drop it unseen).
 */
export function strictBodies (app: FastifyInstance): void {
  const compilers = AjvCompiler()
  const strict = compilers({}, { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true }, plugins: [] })
  const usual = compilers({}, { customOptions: {}, plugins: [] })
  const query = compilers({}, { customOptions: { removeAdditional: false }, plugins: [] })
  app.setValidatorCompiler(route => route.httpPart === 'body'
    ? strict({ ...route, schema: closed(route.schema) as FastifySchema })
    : route.httpPart === 'querystring' ? query(route) : usual(route))
}

/**
 * For the agents' API: a route that takes no body (close, block, restore…) refuses one with
 * fields rather than ignore them; `{}` is no body. Channels' webhooks read their own bodies.
 */
export async function refuseUndeclaredBody (request: FastifyRequest): Promise<void> {
  const body = request.body
  if (request.routeOptions.schema?.body !== undefined || body === undefined || body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return
  const fields = Object.keys(body)
  if (fields.length > 0) throw new HubError('invalid_request', `body: this request takes no body; remove ${fields.join(', ')}.`, 400, { field: `body.${fields[0]!}` })
}
