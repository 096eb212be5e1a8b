import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs'
import { HubError } from './errors.js'

/**
 * With the in-process queue, jobs and agents' events live in one process: a second hub on the
 * same SQLite file would route the same messages again and never show agents what the other
 * accepted. A lock file beside the database, naming the process that holds it, lets one hub
 * run; one left by a process that died (kill -9) is taken over.
 */
export function holdSingleHub (databasePath: string): () => void {
  const path = `${databasePath}.hub-lock`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => { if (holder(path) === process.pid) unlinkSync(path) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = holder(path)
      if (pid !== null && pid !== process.pid && alive(pid)) {
        throw new HubError('store_in_use', `Another Omnihub (process ${pid}) runs on ${databasePath} with the in-process queue; stop it, or use queue.driver: bullmq to run several hubs and workers.`)
      }
      try { unlinkSync(path) } catch {}
    }
  }
  throw new HubError('store_in_use', `Another Omnihub is starting on ${databasePath} at this moment; start one hub with the in-process queue, or use queue.driver: bullmq.`)
}

function holder (path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** A live process, and on Linux one running node (a reused pid after a reboot does not count). */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node')
  } catch {
    return true
  }
}
