import type { ActivityStore } from './activity.js'
import type { CatalogStore } from './catalog.js'
import type { AgentStore } from './agents.js'
import type { FaqStore } from './faq.js'
import type { InboxStore } from './inbox.js'
import type { KeyValueStore } from './kv.js'
import type { StoreLifecycle } from './lifecycle.js'
import type { PhraseStore } from './phrases.js'
import type { RatingStore } from './ratings.js'
import type { ReportStore } from './reports.js'

/**
 * The source of truth: one object per driver, over one connection, made of the aggregates'
 * contracts. A consumer takes the narrow one it uses. Every driver passes test/store.contract.ts
 * and test/store-rules.contract.ts.
 */
export interface Store extends StoreLifecycle, InboxStore, AgentStore, PhraseStore, FaqStore, RatingStore, ActivityStore, ReportStore, CatalogStore, KeyValueStore {}
