import pino, { type Logger } from 'pino'

/** Structured logs: ids and codes only. Any field named like a secret is censored as a backstop. */
export function createLogger (level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    redact: {
      paths: ['authorization', 'token', 'secret', 'password', '*.authorization', '*.token', '*.secret', '*.password', '*.headers.authorization', 'req.headers.authorization'],
      censor: '[redacted]'
    }
  }, destination)
}
