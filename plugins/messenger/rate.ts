/**
 * Spaces out Send API calls of one Page to at most `perSecond`, whichever channel (process-wide)
 * sends them: Meta limits calls per Page, and a burst of replies should queue here, not fail there.
 */
export class PageRate {
  private static readonly pages = new Map<string, PageRate>()
  private next = 0

  private constructor (private readonly intervalMs: number) {}

  static of (pageId: string, perSecond: number): PageRate {
    let rate = PageRate.pages.get(pageId)
    if (rate === undefined) {
      rate = new PageRate(1000 / perSecond)
      PageRate.pages.set(pageId, rate)
    }
    return rate
  }

  /** Resolves when the next call may go. */
  async take (): Promise<void> {
    const now = Date.now()
    const at = Math.max(now, this.next)
    this.next = at + this.intervalMs
    if (at > now) await new Promise(resolve => setTimeout(resolve, at - now))
  }
}
