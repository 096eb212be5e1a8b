import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { SMTPServer } from 'smtp-server'
import type { Test } from 'tap'
import { freePort } from './process.js'
import { until } from '../queue.contract.js'

export const MAIL_PASSWORD = 'mail-test-password'

/** A real Dovecot IMAP server on loopback, with a throwaway config, users and Maildirs. */
export interface Dovecot {
  port: number
  /** Stops the server (mail stays on disk); `start` brings it back on the same port. */
  stop (): Promise<void>
  start (): Promise<void>
  /** Puts a raw message into a user's INBOX, as delivery would. */
  deliver (user: string, raw: string | Buffer): Promise<void>
  /** Raw messages in a user's folder, oldest first. */
  read (user: string, folder?: string): Promise<Array<{ uid: number, source: string, flags: Set<string> }>>
  /** Freezes the IMAP sessions open now (SIGSTOP): a connection that stays up but never answers. */
  freezeSessions (): () => void
  log (): string
}

function dovecotIds (): { uid: number, gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find(l => l.startsWith('dovecot:'))
  if (line === undefined) throw new Error('the dovecot system user is missing: run scripts/ensure-dovecot.sh')
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

/** Child processes of a pid, from /proc: Dovecot's imap processes outlive its master unless killed. */
function childrenOf (pid: number): number[] {
  return readdirSync('/proc').filter(d => /^\d+$/.test(d)).filter(d => {
    try {
      return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid
    } catch {
      return false
    }
  }).map(Number)
}

export async function startDovecot (t: Test, users: string[]): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-dovecot-'))
  chmodSync(dir, 0o755)
  const port = await freePort()
  const owner = dovecotIds()
  const root = userInfo().uid === 0
  mkdirSync(join(dir, 'mail'))
  if (root) chownSync(join(dir, 'mail'), owner.uid, owner.gid)
  writeFileSync(join(dir, 'passwd'), users.map(u => `${u}:{PLAIN}${MAIL_PASSWORD}::::::\n`).join(''))
  writeFileSync(join(dir, 'dovecot.conf'), `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${dir}/mail/%u
namespace inbox {
  inbox = yes
  separator = /
  mailbox Archive {
    auto = create
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`)
  let child: ChildProcess | null = null
  const reachable = async (): Promise<boolean> => {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: users[0]!, pass: MAIL_PASSWORD }, logger: false })
    try {
      await client.connect()
      await client.logout()
      return true
    } catch {
      client.close()
      return false
    }
  }
  const server: Dovecot = {
    port,
    async start () {
      child = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' })
      await until(reachable, 15_000, 'dovecot to answer')
    },
    async stop () {
      const running = child
      child = null
      if (running === null || running.exitCode !== null) return
      const exited = new Promise(resolve => running.once('exit', resolve))
      // As a restart does: the connections' processes go too, so clients see the drop.
      for (const pid of childrenOf(running.pid!)) {
        try { process.kill(pid, 'SIGKILL') } catch {}
      }
      running.kill('SIGTERM')
      await exited
    },
    async deliver (user, raw) {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: MAIL_PASSWORD }, logger: false })
      await client.connect()
      try {
        await client.append('INBOX', raw)
      } finally {
        await client.logout()
      }
    },
    async read (user, folder = 'INBOX') {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: MAIL_PASSWORD }, logger: false })
      await client.connect()
      const lock = await client.getMailboxLock(folder)
      try {
        if ((client.mailbox as { exists: number }).exists === 0) return []
        const all = await client.fetchAll('1:*', { uid: true, source: true, flags: true }, { uid: true })
        return all.map(m => ({ uid: m.uid, source: m.source!.toString('utf8'), flags: m.flags ?? new Set() }))
      } finally {
        lock.release()
        await client.logout()
      }
    },
    freezeSessions () {
      const sessions = child === null ? [] : childrenOf(child.pid!).filter(pid => {
        try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'imap' } catch { return false }
      })
      for (const pid of sessions) process.kill(pid, 'SIGSTOP')
      return () => { for (const pid of sessions) { try { process.kill(pid, 'SIGKILL') } catch {} } }
    },
    log: () => { try { return readFileSync(join(dir, 'dovecot.log'), 'utf8') } catch { return '' } }
  }
  await server.start()
  t.teardown(async () => { await server.stop() })
  return server
}

/** A real SMTP server (the smtp-server library) that files each message into the recipient's Dovecot INBOX. */
export interface SmtpSink {
  port: number
  /** Raw messages received, with their envelope. */
  received: Array<{ from: string, to: string[], raw: string }>
  /** The reply to the next DATA: e.g. `{ code: 450, message: 'try later' }`; consumed once. */
  failNext (reply: { code: number, message: string }): void
}

export async function startSmtpSink (t: Test, dovecot: Dovecot, mailboxOf: (address: string) => string | null): Promise<SmtpSink> {
  const port = await freePort()
  const failures: Array<{ code: number, message: string }> = []
  const sink: SmtpSink = { port, received: [], failNext: reply => { failures.push(reply) } }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const failure = failures.shift()
        if (failure !== undefined) return callback(Object.assign(new Error(failure.message), { responseCode: failure.code }))
        const raw = Buffer.concat(chunks)
        const to = session.envelope.rcptTo.map(r => r.address)
        sink.received.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to, raw: raw.toString('utf8') })
        const boxes = [...new Set(to.map(mailboxOf).filter((b): b is string => b !== null))]
        Promise.all(boxes.map(async box => await dovecot.deliver(box, raw))).then(() => callback(), err => callback(err as Error))
      })
    }
  })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  t.teardown(async () => { await new Promise<void>(resolve => server.close(() => resolve())) })
  return sink
}
