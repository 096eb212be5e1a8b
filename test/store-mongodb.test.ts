import t from 'tap'
import { storeContract } from './store.contract.js'

// MongoDB cannot be installed on the CI machines: this suite runs wherever MONGODB_URI is set.
const uri = process.env.MONGODB_URI ?? ''

t.test('mongodb store contract', { skip: uri === '' ? 'MONGODB_URI is not set' : false }, async t => {
  const { default: mongoose } = await import('mongoose')
  const { MongoStore } = await import('../core/store/mongodb/store.js')
  let n = 0
  storeContract(t, async () => {
    // A fresh database per test, dropped first so runs never see each other's data.
    const url = new URL(uri)
    url.pathname = `/omnihub_contract_${process.pid}_${++n}`
    const conn = await mongoose.createConnection(url.toString()).asPromise()
    await conn.dropDatabase()
    await conn.close()
    return new MongoStore(url.toString())
  })
})
