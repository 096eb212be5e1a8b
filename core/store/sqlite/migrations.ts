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
  `
]
