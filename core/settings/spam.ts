import { BannedWords } from '../guards/banned-words.js'
import { fold } from '../guards/normalize.js'

/** What marks a customer's message as spam, per team and hub-wide: phrases and regular-expression patterns. */
export interface SpamRules {
  phrases: string[]
  patterns: string[]
}

/** Only this much of a message is matched against patterns: a long message cannot make a pattern slow. */
const MATCHED_CHARS = 4000
/** A quantified group that is itself quantified, `(a+)+` or `(\w*)*`: the shape of catastrophic backtracking. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/

/** Why a supervisor's pattern cannot be used, or null when it can. */
export function patternProblem (pattern: string): string | null {
  try {
    RegExp(pattern, 'iu')
  } catch (err) {
    return `"${pattern}" is not a regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`
  }
  if (NESTED_QUANTIFIER.test(pattern)) return `"${pattern}" repeats a repeated group, which can take very long on some messages; write it without the outer repetition`
  return null
}

/**
 * One team's spam filter with the hub's. Phrases match as banned words do (case- and
 * width-insensitive, Latin words whole); patterns are case-insensitive regular expressions
 * run on the folded text.
 */
export class SpamFilter {
  private readonly phrases: BannedWords
  private readonly patterns: Array<{ source: string, re: RegExp }>

  constructor (rules: SpamRules[]) {
    this.phrases = new BannedWords(rules.flatMap(r => r.phrases))
    this.patterns = rules.flatMap(r => r.patterns).filter(p => patternProblem(p) === null).map(source => ({ source, re: new RegExp(source, 'iu') }))
  }

  /** The phrase, or the pattern as `/…/`, that marks this text as spam; null when none does. */
  match (text: string): string | null {
    const phrase = this.phrases.find(text)[0]
    if (phrase !== undefined) return phrase
    const folded = fold(text.slice(0, MATCHED_CHARS))
    const pattern = this.patterns.find(p => p.re.test(folded))
    return pattern === undefined ? null : `/${pattern.source}/`
  }
}
