import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { userError } from '../pipeline/store-errors.js'

/** Fastify's own client errors, mapped to stable codes and plain sentences. */
const FASTIFY_CODES: Record<string, [string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_json', 'The request body is empty; send a JSON object.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['body_too_large', 'The request body is larger than this hub accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'This route does not take a body of this Content-Type; /docs lists what each route accepts.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['invalid_request', 'The Content-Length header does not match the body.']
}

/** `body/text must be string` -> `body.text: must be string` */
function validationSentence (err: FastifyError): string {
  const first = err.validation?.[0]
  if (first === undefined) return err.message
  const context = err.validationContext ?? 'body'
  const { missingProperty: missing, additionalProperty: unknown } = first.params as { missingProperty?: string, additionalProperty?: string }
  const path = [context, ...first.instancePath.split('/').filter(Boolean), ...(missing !== undefined ? [missing] : []), ...(unknown !== undefined ? [unknown] : [])].join('.')
  if (missing !== undefined) return `${path}: required`
  if (unknown !== undefined) return `${path}: not a field this route takes (see /docs)`
  return `${path}: ${first.message ?? 'is invalid'}`
}

/** A URL Fastify's router cannot decode (`%zz`): answered before routing, so before the error handler. */
export function badUrl (_err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).send({ code: 'invalid_url', message: 'The URL is not valid: a % must start a %XX escape of two hex digits.' })
}

/** A request Node's HTTP parser cannot read (a malformed request line, oversized headers): a raw answer with a code. */
export function badRequestLine (err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return }
  const [status, code, message] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'headers_too_large', 'The request headers are larger than this hub accepts.']
    : [400, 'malformed_request', 'The request is not valid HTTP/1.1.']
  const body = JSON.stringify({ code, message })
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

/** Every error leaves as `{code, message, ...}`; stack traces stay in the log. */
export function installErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = userError(err)
    if (known !== null) {
      if (known.status >= 500) request.log.error({ code: known.code }, 'request failed')
      return reply.status(known.status).send(known.toJSON())
    }
    if (err.validation !== undefined) {
      const message = validationSentence(err)
      return reply.status(400).send({ code: 'invalid_request', message, field: message.split(':')[0] })
    }
    const fastify = err.code !== undefined ? FASTIFY_CODES[err.code] : undefined
    if (fastify !== undefined) return reply.status(err.statusCode ?? 400).send({ code: fastify[0], message: fastify[1] })
    if (err.statusCode !== undefined && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ code: 'bad_request', message: err.message })
    }
    request.log.error({ err }, 'unexpected error')
    return reply.status(500).send({ code: 'internal_error', message: `Something failed on the hub; it is logged under request id ${request.id}.` })
  })
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'not_found', message: `There is no ${request.method} ${request.url.split('?')[0]} on this hub.` })
  })
}
