-- The derived tables change shape: rows carry their chain position, accounts re-created
-- at the same address are kept as separate incarnations, user-chosen times and strings
-- are kept as raw integers and bytes beside their timestamp and text forms. Everything
-- here is derived from the chain, so the old tables are dropped with their checkpoints
-- and the next start re-reads the program's history.
DROP VIEW IF EXISTS dataset_funding, time_to_quorum, submission_time_to_quorum,
    reviewer_agreement, contributor_earnings;
DROP TABLE IF EXISTS refunds, payouts, fundings, attestations, submissions, bounties,
    checkpoints, events;

-- Every program transaction listed by the source, failed ones included.
CREATE TABLE transactions (
    signature  text    PRIMARY KEY,
    slot       bigint  NOT NULL,
    tx_index   integer NOT NULL,  -- place among the program's transactions in its slot
    failed     boolean NOT NULL,  -- failed on chain: no events
    finalized  boolean NOT NULL,
    block_time bigint,
    outcome    text    NOT NULL   -- indexed, failed, quarantined
);
CREATE INDEX transactions_chain_order ON transactions (slot, tx_index);
CREATE INDEX transactions_unfinalized ON transactions (slot) WHERE NOT finalized;

-- Raw events: one row per program event. (slot, pos) orders them as the chain did.
CREATE TABLE events (
    signature         text     NOT NULL,
    instruction_index smallint NOT NULL,
    inner_index       smallint NOT NULL,
    slot              bigint   NOT NULL,
    pos               bigint   NOT NULL,  -- tx_index << 32 | instruction << 16 | inner
    block_time_unix   bigint,
    block_time        timestamptz,        -- null where Postgres cannot represent it
    name              text     NOT NULL,  -- the event type, or 'Undecodable'
    bounty            text,               -- null when undecodable
    data              jsonb,              -- decoded fields; amounts as strings; NUL as U+FFFD
    raw               bytea    NOT NULL,  -- tag + discriminator + payload, exactly as emitted
    decode_error      text,
    finalized         boolean  NOT NULL,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX events_chain_order ON events (slot, pos);
CREATE INDEX events_bounty ON events (bounty, slot, pos);
CREATE INDEX events_unfinalized ON events (slot) WHERE NOT finalized;

-- Transactions Postgres refused or the source could not read: kept, counted, skipped.
CREATE TABLE quarantine (
    signature      text        PRIMARY KEY,
    slot           bigint      NOT NULL,
    tx_index       integer     NOT NULL,
    raw_events     bytea[]     NOT NULL,
    error          text        NOT NULL,
    sqlstate       text,
    quarantined_at timestamptz NOT NULL DEFAULT now()
);

-- How far each source has read; written in the same transaction as the rows.
CREATE TABLE checkpoints (
    source     text        PRIMARY KEY,
    signature  text        NOT NULL,
    slot       bigint      NOT NULL,
    tx_index   integer     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bounties (
    bounty                     text    NOT NULL,
    incarnation                integer NOT NULL,  -- 1, then 2 after a close and re-create
    creator                    text    NOT NULL,
    dataset_id                 text    NOT NULL,
    nonce                      numeric(20,0) NOT NULL,
    metadata_uri               text    NOT NULL,
    metadata_uri_raw           bytea   NOT NULL,
    mint                       text    NOT NULL,
    token_program              text    NOT NULL,
    vault                      text    NOT NULL,
    reward_per_submission      numeric(20,0) NOT NULL,
    max_winners                bigint  NOT NULL,
    reviewers                  text[]  NOT NULL,
    quorum                     smallint NOT NULL,
    submission_deadline_unix   bigint  NOT NULL,
    submission_deadline        timestamptz,
    review_deadline_unix       bigint  NOT NULL,
    review_deadline            timestamptz,
    permanent_delegate_allowed boolean NOT NULL,
    funded                     numeric(20,0) NOT NULL DEFAULT 0,
    reserved                   numeric(20,0) NOT NULL DEFAULT 0,
    released                   numeric(20,0) NOT NULL DEFAULT 0,
    refunded                   numeric(20,0) NOT NULL DEFAULT 0,
    submissions                bigint  NOT NULL DEFAULT 0,
    pending                    bigint  NOT NULL DEFAULT 0,
    accepted                   bigint  NOT NULL DEFAULT 0,
    paid                       bigint  NOT NULL DEFAULT 0,
    open_submission_accounts   bigint  NOT NULL DEFAULT 0,
    status                     text    NOT NULL,  -- Open, Cancelled, Closed
    created_at                 timestamptz,
    cancelled_at               timestamptz,
    closed_at                  timestamptz,
    created_slot               bigint  NOT NULL,
    updated_slot               bigint  NOT NULL,
    updated_pos                bigint  NOT NULL,
    PRIMARY KEY (bounty, incarnation)
);
CREATE INDEX bounties_created ON bounties (created_slot DESC, bounty, incarnation);
CREATE INDEX bounties_creator ON bounties (creator);
CREATE INDEX bounties_dataset ON bounties (dataset_id);

CREATE TABLE submissions (
    submission         text    NOT NULL,
    incarnation        integer NOT NULL,
    bounty             text    NOT NULL,
    bounty_incarnation integer NOT NULL,
    contributor        text    NOT NULL,
    hash               text    NOT NULL,
    uri                text,
    uri_raw            bytea,
    status             text    NOT NULL,  -- Pending, Accepted, Rejected, Paid, Expired
    approvals          smallint NOT NULL DEFAULT 0,
    rejections         smallint NOT NULL DEFAULT 0,
    created_at         timestamptz,
    decided_at         timestamptz,
    paid_at            timestamptz,
    closed_at          timestamptz,
    created_slot       bigint  NOT NULL,
    created_pos        bigint  NOT NULL,
    updated_slot       bigint  NOT NULL,
    updated_pos        bigint  NOT NULL,
    PRIMARY KEY (submission, incarnation)
);
CREATE INDEX submissions_bounty ON submissions (bounty, created_slot, created_pos);
CREATE INDEX submissions_contributor ON submissions (contributor);

CREATE TABLE attestations (
    submission             text     NOT NULL,
    submission_incarnation integer  NOT NULL,
    reviewer               text     NOT NULL,
    bounty                 text     NOT NULL,
    bounty_incarnation     integer  NOT NULL,
    reviewer_index         smallint NOT NULL,
    approve                boolean  NOT NULL,
    attested_at            timestamptz,
    signature              text     NOT NULL,
    slot                   bigint   NOT NULL,
    pos                    bigint   NOT NULL,
    PRIMARY KEY (submission, submission_incarnation, reviewer)
);
CREATE INDEX attestations_reviewer ON attestations (reviewer);
CREATE INDEX attestations_bounty ON attestations (bounty);

CREATE TABLE fundings (
    signature          text     NOT NULL,
    instruction_index  smallint NOT NULL,
    inner_index        smallint NOT NULL,
    slot               bigint   NOT NULL,
    pos                bigint   NOT NULL,
    bounty             text     NOT NULL,
    bounty_incarnation integer  NOT NULL,
    funder             text     NOT NULL,
    mint               text     NOT NULL,
    requested          numeric(20,0) NOT NULL,
    received           numeric(20,0) NOT NULL,
    funded_at          timestamptz,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX fundings_bounty ON fundings (bounty);

CREATE TABLE payouts (
    signature                 text     NOT NULL,
    instruction_index         smallint NOT NULL,
    inner_index               smallint NOT NULL,
    slot                      bigint   NOT NULL,
    pos                       bigint   NOT NULL,
    bounty                    text     NOT NULL,
    bounty_incarnation        integer  NOT NULL,
    submission                text     NOT NULL,
    submission_incarnation    integer  NOT NULL,
    contributor               text     NOT NULL,
    contributor_token_account text     NOT NULL,
    amount                    numeric(20,0) NOT NULL,
    received                  numeric(20,0) NOT NULL,
    paid_at                   timestamptz,
    PRIMARY KEY (signature, instruction_index, inner_index),
    UNIQUE (submission, submission_incarnation)
);
CREATE INDEX payouts_contributor ON payouts (contributor);
CREATE INDEX payouts_bounty ON payouts (bounty);

CREATE TABLE refunds (
    signature             text     NOT NULL,
    instruction_index     smallint NOT NULL,
    inner_index           smallint NOT NULL,
    slot                  bigint   NOT NULL,
    pos                   bigint   NOT NULL,
    bounty                text     NOT NULL,
    bounty_incarnation    integer  NOT NULL,
    creator               text     NOT NULL,
    creator_token_account text     NOT NULL,
    amount                numeric(20,0) NOT NULL,
    received              numeric(20,0) NOT NULL,
    untracked_swept       numeric(20,0) NOT NULL,
    refunded_at           timestamptz,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX refunds_bounty ON refunds (bounty);

-- What each contributor earned, per mint (each payout joined to its own incarnation).
CREATE VIEW contributor_earnings AS
SELECT p.contributor,
       b.mint,
       count(*)        AS paid_submissions,
       sum(p.amount)   AS earned,
       sum(p.received) AS received_after_fees,
       min(p.paid_at)  AS first_paid_at,
       max(p.paid_at)  AS last_paid_at
FROM payouts p
JOIN bounties b ON b.bounty = p.bounty AND b.incarnation = p.bounty_incarnation
GROUP BY p.contributor, b.mint;

-- How often each reviewer's vote matched the final outcome of decided submissions.
CREATE VIEW reviewer_agreement AS
SELECT a.reviewer,
       count(*) AS votes,
       count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid'))) AS agreed,
       round(count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid')))::numeric
             / count(*), 4) AS agreement
FROM attestations a
JOIN submissions s ON s.submission = a.submission AND s.incarnation = a.submission_incarnation
WHERE s.status IN ('Accepted', 'Paid', 'Rejected')
GROUP BY a.reviewer;

-- Seconds from submission to decision, per decided submission.
CREATE VIEW submission_time_to_quorum AS
SELECT s.submission,
       s.incarnation,
       s.bounty,
       s.bounty_incarnation,
       s.status,
       extract(epoch FROM s.decided_at - s.created_at)::bigint AS seconds_to_decision
FROM submissions s
WHERE s.decided_at IS NOT NULL;

-- The same, summarised per bounty incarnation.
CREATE VIEW time_to_quorum AS
SELECT bounty,
       bounty_incarnation AS incarnation,
       count(*) AS decided,
       round(avg(seconds_to_decision), 1) AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds_to_decision) AS median_seconds,
       max(seconds_to_decision) AS max_seconds
FROM submission_time_to_quorum
GROUP BY bounty, bounty_incarnation;

-- Money in and out per dataset and mint.
CREATE VIEW dataset_funding AS
SELECT b.dataset_id,
       b.mint,
       count(*)        AS bounties,
       sum(b.funded)   AS funded,
       sum(b.released) AS released,
       sum(b.refunded) AS refunded,
       sum(b.reserved) AS reserved,
       sum(b.paid)     AS paid_submissions
FROM bounties b
GROUP BY b.dataset_id, b.mint;
