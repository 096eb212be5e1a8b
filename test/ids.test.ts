import t from 'tap'
import { newId } from '../core/ids.js'

t.test('ids sort in creation order, even within one millisecond', async t => {
  const ids = Array.from({ length: 1000 }, () => newId(1_700_000_000_000))
  t.same([...ids].sort(), ids)
  t.equal(new Set(ids).size, ids.length)
  t.ok(newId(1_700_000_000_001) > ids[ids.length - 1]!)
})
