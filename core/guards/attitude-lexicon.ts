/**
 * What reads as abusive, rude or dismissive to a customer, in English and Chinese. Latin words
 * match as whole words; Chinese anywhere, so single characters that start everyday words (滚 in
 * 滚动, 妈 in 妈妈) are left out. Admins add and remove words in config (guards.attitude).
 */
export const ATTITUDE_CATEGORIES = ['abusive', 'rude', 'dismissive'] as const
export type AttitudeCategory = typeof ATTITUDE_CATEGORIES[number]

export const SHIPPED_LEXICON: Record<AttitudeCategory, string[]> = {
  abusive: [
    'idiot', 'idiots', 'stupid', 'moron', 'dumb', 'fuck', 'fucking', 'shit', 'bitch', 'bastard', 'asshole', 'retard', 'loser', 'piss off', 'screw you',
    '傻逼', '傻b', '傻瓜', '白痴', '笨蛋', '蠢货', '滚蛋', '去死', '神经病', '脑残', '他妈的', '废物', '王八蛋'
  ],
  rude: [
    'shut up', 'are you blind', "can't you read", 'cant you read', 'learn to read', "what's wrong with you", 'stop bothering me', "don't bother me", 'nonsense', 'ridiculous question',
    '闭嘴', '滚开', '你给我滚', '你瞎吗', '眼瞎', '看不懂吗', '听不懂吗', '烦不烦', '别烦我', '催什么催', '问那么多', '说了多少遍'
  ],
  dismissive: [
    'not my problem', "that's your problem", 'your own problem', 'deal with it', 'figure it out yourself', 'nothing i can do', 'take it or leave it', "i don't care", 'not our fault',
    '爱买不买', '不关我事', '关我什么事', '跟我没关系', '与我无关', '你自己解决', '自己想办法', '随便你'
  ]
}
