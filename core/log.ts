import pino, { type Logger } from 'pino'
import sonicBoom, { type SonicBoom } from 'sonic-boom'

// sonic-boom is CommonJS: its class is the module itself, which its types name as an export.
const Boom = sonicBoom as unknown as typeof SonicBoom

/** What standard output may hold back while its reader is slow; past it, log lines are dropped rather than the hub stalled. */
const LOG_BACKLOG_BYTES = 16 * 1024 * 1024

/** Structured logs: ids and codes only. Any field named like a secret is censored as a backstop. */
export function createLogger (level: string, destination: pino.DestinationStream = standardOutput()): Logger {
  return pino({
    level,
    redact: {
      paths: ['authorization', 'token', 'secret', 'password', '*.authorization', '*.token', '*.secret', '*.password', '*.headers.authorization', 'req.headers.authorization'],
      censor: '[redacted]'
    }
  }, destination)
}

/**
 * Standard output that never blocks the event loop. pino's default writes synchronously and,
 * when the pipe is full (a stalled log collector), sleeps and retries forever on the main
 * thread: the hub then ignores even SIGTERM. Here writes are buffered up to
 * LOG_BACKLOG_BYTES, and a reader that went away (EPIPE) turns logging off.
 */
export function standardOutput (): SonicBoom {
  const out = new Boom({ fd: 1, sync: false, maxLength: LOG_BACKLOG_BYTES })
  out.on('error', () => {
    out.write = () => true
    out.flush = (cb?: (err?: Error) => unknown) => { cb?.() }
  })
  return out
}

/** Waits for the buffered lines to reach standard output, at most `ms` (its reader may never take them). */
export async function flushWithin (out: SonicBoom, ms: number): Promise<void> {
  await new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    try {
      out.flush(() => { clearTimeout(timer); resolve() })
    } catch {
      clearTimeout(timer)
      resolve()
    }
  })
}
