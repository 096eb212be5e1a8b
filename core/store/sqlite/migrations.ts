/**
 * Versioned schema: migration N brings the database from PRAGMA user_version N-1 to N.
 * Append new migrations; never edit one that has shipped.
 */
export const migrations: string[] = [
  `
  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    name TEXT, email TEXT, phone TEXT, avatar_url TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    notes TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE identities (
    channel_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, external_id)
  );
  CREATE INDEX identities_contact ON identities(contact_id);

  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    status TEXT NOT NULL,
    assignee_id TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    unread_count INTEGER NOT NULL DEFAULT 0,
    last_inbound_at INTEGER,
    last_outbound_at INTEGER,
    last_activity_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- At most one open conversation per contact and channel.
  CREATE UNIQUE INDEX conversations_open ON conversations(channel_id, contact_id) WHERE status != 'closed';
  CREATE INDEX conversations_activity ON conversations(last_activity_at DESC, id DESC);
  CREATE INDEX conversations_status ON conversations(status, last_activity_at DESC, id DESC);
  CREATE INDEX conversations_assignee ON conversations(assignee_id, last_activity_at DESC, id DESC);

  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    channel_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    author_type TEXT NOT NULL,
    author_id TEXT,
    text TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',
    cards TEXT NOT NULL DEFAULT '[]',
    external_id TEXT,
    status TEXT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    tag TEXT,
    routed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    delivered_at INTEGER,
    read_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  -- Idempotent ingest: a channel's message id is stored once (NULLs, i.e. unsent replies, are distinct).
  CREATE UNIQUE INDEX messages_external ON messages(channel_id, external_id);
  CREATE INDEX messages_conversation ON messages(conversation_id, id);
  CREATE INDEX messages_pending ON messages(status, created_at) WHERE status = 'pending';
  CREATE INDEX messages_unrouted ON messages(created_at) WHERE routed = 0 AND direction = 'inbound';

  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    teams TEXT NOT NULL DEFAULT '[]',
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE plugin_kv (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
  );
  `,
  `
  ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT 'offline';
  ALTER TABLE agents ADD COLUMN status_changed_at INTEGER;
  ALTER TABLE agents ADD COLUMN capacity INTEGER;
  ALTER TABLE agents ADD COLUMN active_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE agents ADD COLUMN last_routed_at INTEGER;
  ALTER TABLE agents ADD COLUMN last_seen_at INTEGER;
  ALTER TABLE agents ADD COLUMN last_active_at INTEGER;

  CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE agent_status_log (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    status TEXT NOT NULL,
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
  );
  CREATE INDEX agent_status_log_agent ON agent_status_log(agent_id, id);

  ALTER TABLE conversations ADD COLUMN team_id TEXT;
  ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
  ALTER TABLE conversations ADD COLUMN queue_reason TEXT;
  ALTER TABLE conversations ADD COLUMN assigned_at INTEGER;
  CREATE INDEX conversations_queue ON conversations(queued_at, id) WHERE queued_at IS NOT NULL;
  CREATE INDEX conversations_team_queue ON conversations(team_id, queued_at, id) WHERE queued_at IS NOT NULL;
  CREATE INDEX conversations_team ON conversations(team_id, last_activity_at DESC, id DESC);
  CREATE INDEX conversations_contact ON conversations(contact_id);
  CREATE INDEX conversations_assigned ON conversations(assignee_id) WHERE status = 'assigned';

  ALTER TABLE contacts ADD COLUMN last_agent_id TEXT;
  ALTER TABLE contacts ADD COLUMN last_agent_at INTEGER;
  `,
  `
  -- Channels with threads (email) let a contact have several open conversations, one per thread.
  ALTER TABLE conversations ADD COLUMN thread TEXT NOT NULL DEFAULT '';
  DROP INDEX conversations_open;
  CREATE UNIQUE INDEX conversations_open ON conversations(channel_id, contact_id, thread) WHERE status != 'closed';
  ALTER TABLE messages ADD COLUMN extras TEXT;
  `,
  `
  -- Page views of a channel identity (a website visitor), kept before and after a contact exists.
  CREATE TABLE page_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    referrer TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX page_views_identity ON page_views(channel_id, external_id, id);
  `,
  `
  -- The inbox's language per agent.
  ALTER TABLE agents ADD COLUMN locale TEXT;
  `,
  `
  -- Quick phrases: an agent's own, a team's, or the hub's; a code is unique within its owner.
  CREATE TABLE phrases (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    owner_id TEXT,
    team_id TEXT,
    owner_key TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    attachments TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX phrases_code ON phrases(owner_key, code);
  `,
  `
  -- Events in an agent's work that supervisors see counted (attitude warnings).
  CREATE TABLE agent_events (agent_id TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX agent_events_at ON agent_events(at);
  `,
  `
  -- Customers whose words read as upset: one mood alert per conversation until it reopens.
  ALTER TABLE conversations ADD COLUMN mood_alert_at INTEGER;
  `,
  `
  -- The FAQ robot's knowledge base, and what it did per channel; customers' ratings; agents' own greetings.
  CREATE TABLE faq_entries (
    id TEXT PRIMARY KEY,
    team_id TEXT,
    question TEXT NOT NULL,
    alternatives TEXT NOT NULL,
    answer TEXT NOT NULL,
    related TEXT NOT NULL,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX faq_entries_team ON faq_entries(team_id);
  CREATE TABLE channel_events (channel_id TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX channel_events_at ON channel_events(at);
  ALTER TABLE conversations ADD COLUMN rating_score INTEGER;
  ALTER TABLE conversations ADD COLUMN rating_comment TEXT;
  ALTER TABLE conversations ADD COLUMN rating_agent_id TEXT;
  ALTER TABLE conversations ADD COLUMN rated_at INTEGER;
  ALTER TABLE conversations ADD COLUMN rating_invited_at INTEGER;
  CREATE INDEX conversations_rated ON conversations(rated_at) WHERE rated_at IS NOT NULL;
  ALTER TABLE agents ADD COLUMN welcome TEXT;
  `,
  `
  -- Contacts the hub sends nothing automatic (a spam complaint, a bounced address, a machine's address), as JSON.
  ALTER TABLE contacts ADD COLUMN suppression TEXT;
  CREATE INDEX contacts_suppressed ON contacts(json_extract(suppression, '$.channelId')) WHERE suppression IS NOT NULL;
  `,
  `
  -- The channel's own state of a conversation (Messenger's thread owner), as a JSON object.
  ALTER TABLE conversations ADD COLUMN channel_state TEXT NOT NULL DEFAULT '{}';
  `,
  `
  -- The reports' counters (core/store/reports.ts): hours and days, the untagged total and one row set per tag, read by span, tag and hour range.
  CREATE TABLE report_counts (
    span INTEGER NOT NULL, tag TEXT NOT NULL, hour INTEGER NOT NULL, channel_id TEXT NOT NULL, team_id TEXT NOT NULL, agent_id TEXT NOT NULL, measure TEXT NOT NULL,
    count INTEGER NOT NULL, sum REAL NOT NULL,
    PRIMARY KEY (span, tag, hour, channel_id, team_id, agent_id, measure)
  ) WITHOUT ROWID;
  -- When a person's reply last went out (automatic messages leave it): what the response-time alert waits for.
  ALTER TABLE conversations ADD COLUMN last_reply_at INTEGER;
  UPDATE conversations SET last_reply_at = last_outbound_at;
  -- The live monitor: when each agent last replied, and the sign-in log.
  ALTER TABLE agents ADD COLUMN last_reply_at INTEGER;
  CREATE TABLE agent_sessions (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, event TEXT NOT NULL, method TEXT, at INTEGER NOT NULL, ip TEXT, user_agent TEXT);
  CREATE INDEX agent_sessions_agent ON agent_sessions(agent_id, id);
  -- Agents managed in the app: a signature for their replies, and deactivation.
  ALTER TABLE agents ADD COLUMN signature TEXT;
  ALTER TABLE agents ADD COLUMN deactivated_at INTEGER;
  -- An agent's FAQ addition waits for a supervisor's approval.
  ALTER TABLE faq_entries ADD COLUMN suggested INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Blocked contacts (JSON: who, when); conversations a held message opened stay out of the lists; held messages by team.
  ALTER TABLE contacts ADD COLUMN blocked TEXT;
  ALTER TABLE conversations ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX messages_held ON messages(id) WHERE json_extract(extras, '$.held.reason') IS NOT NULL AND json_extract(extras, '$.held.restored') IS NULL;
  `,
  `
  -- How the inbox tells each agent of new messages (JSON; null: the defaults).
  ALTER TABLE agents ADD COLUMN notifications TEXT;
  `,
  `
  -- Where the customer is and what they read: language, time zone, country.
  ALTER TABLE contacts ADD COLUMN language TEXT;
  ALTER TABLE contacts ADD COLUMN time_zone TEXT;
  ALTER TABLE contacts ADD COLUMN country TEXT;
  `,
  `
  -- The product catalog agents send cards from.
  CREATE TABLE products (id TEXT PRIMARY KEY, title TEXT NOT NULL, price TEXT, image_url TEXT, url TEXT, updated_at INTEGER NOT NULL);
  CREATE INDEX products_url ON products(url) WHERE url IS NOT NULL;
  `,
  `
  -- Each team's line, kept by triggers in the statement that moves a conversation in or out of it
  -- (team_key '' is the every-agent line): its size, and who joined it last. Queue sizes and a new
  -- arrival's place are read here, not counted over every conversation waiting.
  -- The back only moves later while the line has anyone in it (a waiting conversation keeps its queued_at, and none is
  -- created waiting), so the conversation at the back has everyone else in the line ahead of it.
  CREATE TABLE queue_lines (team_key TEXT PRIMARY KEY, size INTEGER NOT NULL, back_at INTEGER, back_id TEXT);
  INSERT INTO queue_lines (team_key, size, back_at, back_id)
    SELECT COALESCE(team_id, ''), COUNT(*), NULL, NULL FROM conversations WHERE queued_at IS NOT NULL AND status = 'unassigned' GROUP BY COALESCE(team_id, '');
  UPDATE queue_lines SET (back_at, back_id) = (SELECT queued_at, id FROM conversations c
    WHERE c.queued_at IS NOT NULL AND c.status = 'unassigned' AND COALESCE(c.team_id, '') = queue_lines.team_key ORDER BY queued_at DESC, id DESC LIMIT 1);
  CREATE TRIGGER queue_line_joined AFTER UPDATE OF status, queued_at, team_id ON conversations
    WHEN NEW.queued_at IS NOT NULL AND NEW.status = 'unassigned' AND NOT (OLD.queued_at IS NOT NULL AND OLD.status = 'unassigned' AND NEW.team_id IS OLD.team_id)
  BEGIN
    INSERT INTO queue_lines (team_key, size, back_at, back_id) VALUES (COALESCE(NEW.team_id, ''), 1, NEW.queued_at, NEW.id)
      ON CONFLICT (team_key) DO UPDATE SET size = size + 1,
        back_at = CASE WHEN back_at IS NULL OR excluded.back_at > back_at OR (excluded.back_at = back_at AND excluded.back_id > back_id) THEN excluded.back_at ELSE back_at END,
        back_id = CASE WHEN back_at IS NULL OR excluded.back_at > back_at OR (excluded.back_at = back_at AND excluded.back_id > back_id) THEN excluded.back_id ELSE back_id END;
  END;
  CREATE TRIGGER queue_line_left AFTER UPDATE OF status, queued_at, team_id ON conversations
    WHEN OLD.queued_at IS NOT NULL AND OLD.status = 'unassigned' AND NOT (NEW.queued_at IS NOT NULL AND NEW.status = 'unassigned' AND NEW.team_id IS OLD.team_id)
  BEGIN
    UPDATE queue_lines SET size = size - 1 WHERE team_key = COALESCE(OLD.team_id, '');
    UPDATE queue_lines SET back_at = NULL, back_id = NULL WHERE team_key = COALESCE(OLD.team_id, '') AND size = 0;
  END;
  `,
  `
  -- The response-time check (every 15 s) asks for open conversations whose customer waits for a reply, newest activity
  -- first. Without this it walked every conversation ever kept, closed ones included (9.5 ms at 30,000, and growing
  -- with the history); with it, only those waiting (1.1 ms).
  CREATE INDEX conversations_unanswered ON conversations(last_activity_at DESC, id DESC, last_inbound_at)
    WHERE status != 'closed' AND last_inbound_at IS NOT NULL AND (last_reply_at IS NULL OR last_reply_at < last_inbound_at);
  `,
  `
  -- The same for the auto-close sweep (every 15 s while a rule auto-closes): open conversations answered last and quiet
  -- since, newest activity first, without walking the closed ones (4.9 ms at 30,000 with none to close; 0.03 ms with it).
  CREATE INDEX conversations_answered ON conversations(last_activity_at DESC, id DESC, last_reply_at)
    WHERE status != 'closed' AND last_reply_at IS NOT NULL AND (last_inbound_at IS NULL OR last_inbound_at < last_reply_at);
  `
]
