-- Raw events: one row per program event, keyed by where it sits in its transaction.
CREATE TABLE events (
    seq               bigserial   NOT NULL UNIQUE,
    signature         text        NOT NULL,
    instruction_index smallint    NOT NULL,
    inner_index       smallint    NOT NULL,
    slot              bigint      NOT NULL,
    block_time        timestamptz,
    name              text        NOT NULL,  -- the event type, or 'Undecodable'
    bounty            text,                  -- null when undecodable
    data              jsonb,                 -- decoded fields; amounts as strings
    raw               bytea       NOT NULL,  -- tag + discriminator + payload
    decode_error      text,
    finalized         boolean     NOT NULL DEFAULT true,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX events_bounty ON events (bounty, seq);
CREATE INDEX events_unfinalized ON events (slot) WHERE NOT finalized;

-- How far each source has been read; written in the same transaction as the rows.
CREATE TABLE checkpoints (
    source     text        PRIMARY KEY,
    signature  text        NOT NULL,
    slot       bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Current state, derived from the events (rebuilt from them on a rollback).
CREATE TABLE bounties (
    bounty                     text PRIMARY KEY,
    creator                    text NOT NULL,
    dataset_id                 text NOT NULL,
    nonce                      numeric(20,0) NOT NULL,
    metadata_uri               text NOT NULL,
    mint                       text NOT NULL,
    token_program              text NOT NULL,
    vault                      text NOT NULL,
    reward_per_submission      numeric(20,0) NOT NULL,
    max_winners                bigint NOT NULL,
    reviewers                  text[] NOT NULL,
    quorum                     smallint NOT NULL,
    submission_deadline        timestamptz NOT NULL,
    review_deadline            timestamptz NOT NULL,
    permanent_delegate_allowed boolean NOT NULL,
    funded                     numeric(20,0) NOT NULL DEFAULT 0,
    reserved                   numeric(20,0) NOT NULL DEFAULT 0,
    released                   numeric(20,0) NOT NULL DEFAULT 0,
    refunded                   numeric(20,0) NOT NULL DEFAULT 0,
    submissions                bigint NOT NULL DEFAULT 0,
    pending                    bigint NOT NULL DEFAULT 0,
    accepted                   bigint NOT NULL DEFAULT 0,
    paid                       bigint NOT NULL DEFAULT 0,
    open_submission_accounts   bigint NOT NULL DEFAULT 0,
    status                     text NOT NULL,  -- Open, Cancelled, Closed
    created_at                 timestamptz NOT NULL,
    cancelled_at               timestamptz,
    closed_at                  timestamptz
);
CREATE INDEX bounties_creator ON bounties (creator);
CREATE INDEX bounties_dataset ON bounties (dataset_id);

CREATE TABLE submissions (
    submission  text PRIMARY KEY,
    bounty      text NOT NULL,
    contributor text NOT NULL,
    hash        text NOT NULL,
    uri         text,
    status      text NOT NULL,  -- Pending, Accepted, Rejected, Paid, Expired (closed undecided)
    approvals   smallint NOT NULL DEFAULT 0,
    rejections  smallint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    decided_at  timestamptz,
    paid_at     timestamptz,
    closed_at   timestamptz
);
CREATE INDEX submissions_bounty ON submissions (bounty);
CREATE INDEX submissions_contributor ON submissions (contributor);

CREATE TABLE attestations (
    submission     text NOT NULL,
    reviewer       text NOT NULL,
    bounty         text NOT NULL,
    reviewer_index smallint NOT NULL,
    approve        boolean NOT NULL,
    attested_at    timestamptz NOT NULL,
    signature      text NOT NULL,
    PRIMARY KEY (submission, reviewer)
);
CREATE INDEX attestations_reviewer ON attestations (reviewer);

CREATE TABLE fundings (
    signature         text NOT NULL,
    instruction_index smallint NOT NULL,
    inner_index       smallint NOT NULL,
    bounty            text NOT NULL,
    funder            text NOT NULL,
    mint              text NOT NULL,
    requested         numeric(20,0) NOT NULL,
    received          numeric(20,0) NOT NULL,
    funded_at         timestamptz NOT NULL,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX fundings_bounty ON fundings (bounty);

CREATE TABLE payouts (
    signature                 text NOT NULL,
    instruction_index         smallint NOT NULL,
    inner_index               smallint NOT NULL,
    bounty                    text NOT NULL,
    submission                text NOT NULL UNIQUE,
    contributor               text NOT NULL,
    contributor_token_account text NOT NULL,
    amount                    numeric(20,0) NOT NULL,
    received                  numeric(20,0) NOT NULL,
    paid_at                   timestamptz NOT NULL,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX payouts_contributor ON payouts (contributor);

CREATE TABLE refunds (
    signature             text NOT NULL,
    instruction_index     smallint NOT NULL,
    inner_index           smallint NOT NULL,
    bounty                text NOT NULL,
    creator               text NOT NULL,
    creator_token_account text NOT NULL,
    amount                numeric(20,0) NOT NULL,
    received              numeric(20,0) NOT NULL,
    untracked_swept       numeric(20,0) NOT NULL,
    refunded_at           timestamptz NOT NULL,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX refunds_bounty ON refunds (bounty);
