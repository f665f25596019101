-- Fair work: review fees, submission bonds, rejection reasons, deadline extensions and
-- reviewer replacements. Every amount is the program's own counter after the event
-- (never a delta), like the columns before them.
ALTER TABLE bounties
    ADD COLUMN review_fee          numeric(20,0) NOT NULL DEFAULT 0,
    ADD COLUMN submission_bond     numeric(20,0) NOT NULL DEFAULT 0,
    ADD COLUMN fees_reserved       numeric(20,0) NOT NULL DEFAULT 0,
    ADD COLUMN fees_paid           numeric(20,0) NOT NULL DEFAULT 0,
    ADD COLUMN bonds_held          numeric(20,0) NOT NULL DEFAULT 0,
    ADD COLUMN bonds_returned      numeric(20,0) NOT NULL DEFAULT 0,
    ADD COLUMN bonds_forfeited     numeric(20,0) NOT NULL DEFAULT 0,
    -- Per reviewer slot, how often it was replaced (votes of an older generation on
    -- pending submissions stopped counting).
    ADD COLUMN reviewer_generations integer[] NOT NULL DEFAULT '{}';

ALTER TABLE submissions
    ADD COLUMN bond        numeric(20,0) NOT NULL DEFAULT 0,  -- what the vault received
    ADD COLUMN bond_status text;                              -- Held, Returned, Forfeited

ALTER TABLE attestations
    ADD COLUMN reviewer_generation integer  NOT NULL DEFAULT 0,
    ADD COLUMN reason_code         integer  NOT NULL DEFAULT 0,  -- 0: no reason given
    ADD COLUMN reason_uri          text,
    ADD COLUMN reason_uri_raw      bytea;

-- A decision's fee, one row per reviewer whose counted vote agreed with it.
CREATE TABLE fee_awards (
    signature              text     NOT NULL,
    instruction_index      smallint NOT NULL,
    inner_index            smallint NOT NULL,
    slot                   bigint   NOT NULL,
    pos                    bigint   NOT NULL,
    bounty                 text     NOT NULL,
    bounty_incarnation     integer  NOT NULL,
    submission             text     NOT NULL,
    submission_incarnation integer  NOT NULL,
    reviewer               text     NOT NULL,
    reviewer_index         smallint NOT NULL,
    accepted               boolean  NOT NULL,
    fee                    numeric(20,0) NOT NULL,
    decided_at             timestamptz,
    PRIMARY KEY (signature, instruction_index, inner_index, reviewer_index)
);
CREATE INDEX fee_awards_reviewer ON fee_awards (reviewer);

CREATE TABLE fee_claims (
    signature              text     NOT NULL,
    instruction_index      smallint NOT NULL,
    inner_index            smallint NOT NULL,
    slot                   bigint   NOT NULL,
    pos                    bigint   NOT NULL,
    bounty                 text     NOT NULL,
    bounty_incarnation     integer  NOT NULL,
    reviewer               text     NOT NULL,
    reviewer_token_account text     NOT NULL,
    amount                 numeric(20,0) NOT NULL,
    received               numeric(20,0) NOT NULL,
    claimed_at             timestamptz,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX fee_claims_reviewer ON fee_claims (reviewer);

-- Every movement of a bond: posted with a submission, returned, or forfeited to the
-- bounty on rejection.
CREATE TABLE bond_movements (
    signature              text     NOT NULL,
    instruction_index      smallint NOT NULL,
    inner_index            smallint NOT NULL,
    slot                   bigint   NOT NULL,
    pos                    bigint   NOT NULL,
    bounty                 text     NOT NULL,
    bounty_incarnation     integer  NOT NULL,
    submission             text     NOT NULL,
    submission_incarnation integer  NOT NULL,
    contributor            text     NOT NULL,
    kind                   text     NOT NULL,  -- posted, returned, forfeited
    amount                 numeric(20,0) NOT NULL,
    received               numeric(20,0),     -- what arrived (posted, returned)
    moved_at               timestamptz,
    PRIMARY KEY (signature, instruction_index, inner_index)
);
CREATE INDEX bond_movements_submission ON bond_movements (submission, submission_incarnation);

-- Reviewers' earnings beside their agreement: fees earned (awarded at decisions) and
-- claimed (paid out).
ALTER TABLE reviewer_totals
    ADD COLUMN fees_earned  numeric(30,0) NOT NULL DEFAULT 0,
    ADD COLUMN fees_claimed numeric(30,0) NOT NULL DEFAULT 0;

DROP VIEW reviewer_agreement;
CREATE VIEW reviewer_agreement AS
SELECT reviewer, votes, agreed, round(agreed::numeric / nullif(votes, 0), 4) AS agreement,
       fees_earned, fees_claimed
FROM reviewer_totals
WHERE votes > 0 OR fees_earned > 0 OR fees_claimed > 0;
