-- Summaries the writer keeps up to date in the same transaction as the rows they sum,
-- so that analyst views answer from a few rows instead of aggregating whole tables per
-- request. The views keep their names and columns.
DROP VIEW IF EXISTS contributor_earnings, reviewer_agreement, time_to_quorum;

CREATE TABLE contributor_totals (
    contributor      text    NOT NULL,
    mint             text    NOT NULL,
    paid_submissions bigint  NOT NULL,
    earned           numeric(30,0) NOT NULL,
    received         numeric(30,0) NOT NULL,
    first_paid_at    timestamptz,
    last_paid_at     timestamptz,
    PRIMARY KEY (contributor, mint)
);
CREATE INDEX contributor_totals_earned ON contributor_totals (earned DESC, contributor, mint);

-- Votes on decided submissions, and how many agreed with the decision.
CREATE TABLE reviewer_totals (
    reviewer text   PRIMARY KEY,
    votes    bigint NOT NULL,
    agreed   bigint NOT NULL
);
CREATE INDEX reviewer_totals_votes ON reviewer_totals (votes DESC, reviewer);

-- Fill them from what is already indexed.
INSERT INTO contributor_totals
SELECT p.contributor, b.mint, count(*), sum(p.amount), sum(p.received), min(p.paid_at), max(p.paid_at)
FROM payouts p
JOIN bounties b ON b.bounty = p.bounty AND b.incarnation = p.bounty_incarnation
GROUP BY p.contributor, b.mint;

INSERT INTO reviewer_totals
SELECT a.reviewer, count(*), count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid')))
FROM attestations a
JOIN submissions s ON s.submission = a.submission AND s.incarnation = a.submission_incarnation
WHERE s.status IN ('Accepted', 'Paid', 'Rejected')
GROUP BY a.reviewer;

CREATE VIEW contributor_earnings AS
SELECT contributor, mint, paid_submissions, earned, received AS received_after_fees,
       first_paid_at, last_paid_at
FROM contributor_totals;

CREATE VIEW reviewer_agreement AS
SELECT reviewer, votes, agreed, round(agreed::numeric / votes, 4) AS agreement
FROM reviewer_totals
WHERE votes > 0;

-- Decisions per bounty incarnation: count, total and longest seconds to decision.
CREATE TABLE bounty_quorum (
    bounty        text    NOT NULL,
    incarnation   integer NOT NULL,
    decided       bigint  NOT NULL,
    total_seconds numeric NOT NULL,
    max_seconds   bigint  NOT NULL,
    PRIMARY KEY (bounty, incarnation)
);

INSERT INTO bounty_quorum
SELECT bounty, bounty_incarnation, count(*), coalesce(sum(seconds_to_decision), 0),
       coalesce(max(seconds_to_decision), 0)
FROM submission_time_to_quorum
GROUP BY bounty, bounty_incarnation;

-- The median is computed for the rows asked for only, through the decided-submissions
-- index; count, average and maximum come from the summary.
CREATE VIEW time_to_quorum AS
SELECT q.bounty, q.incarnation, q.decided,
       round(q.total_seconds / q.decided, 1) AS avg_seconds,
       m.median_seconds,
       q.max_seconds
FROM bounty_quorum q
CROSS JOIN LATERAL (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.decided_at - s.created_at))
           AS median_seconds
    FROM submissions s
    WHERE s.bounty = q.bounty AND s.bounty_incarnation = q.incarnation AND s.decided_at IS NOT NULL
) m
WHERE q.decided > 0;

CREATE INDEX submissions_decided ON submissions (bounty, bounty_incarnation) WHERE decided_at IS NOT NULL;
CREATE INDEX payouts_contributor_order ON payouts (contributor, slot DESC, pos DESC);
CREATE INDEX bounties_mint ON bounties (mint, created_slot DESC);
