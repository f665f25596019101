-- What each contributor earned, per mint.
CREATE VIEW contributor_earnings AS
SELECT p.contributor,
       b.mint,
       count(*)                AS paid_submissions,
       sum(p.amount)           AS earned,
       sum(p.received)         AS received_after_fees,
       min(p.paid_at)          AS first_paid_at,
       max(p.paid_at)          AS last_paid_at
FROM payouts p
JOIN bounties b USING (bounty)
GROUP BY p.contributor, b.mint;

-- How often each reviewer's vote matched the final outcome of decided submissions.
CREATE VIEW reviewer_agreement AS
SELECT a.reviewer,
       count(*)                                                   AS votes,
       count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid'))) AS agreed,
       round(count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid')))::numeric
             / count(*), 4)                                      AS agreement
FROM attestations a
JOIN submissions s USING (submission)
WHERE s.status IN ('Accepted', 'Paid', 'Rejected')
GROUP BY a.reviewer;

-- Seconds from submission to decision, per decided submission.
CREATE VIEW submission_time_to_quorum AS
SELECT s.submission,
       s.bounty,
       s.status,
       extract(epoch FROM s.decided_at - s.created_at)::bigint AS seconds_to_decision
FROM submissions s
WHERE s.decided_at IS NOT NULL;

-- The same, summarised per bounty.
CREATE VIEW time_to_quorum AS
SELECT bounty,
       count(*)                                                                    AS decided,
       round(avg(seconds_to_decision), 1)                                          AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds_to_decision)            AS median_seconds,
       max(seconds_to_decision)                                                    AS max_seconds
FROM submission_time_to_quorum
GROUP BY bounty;

-- Money in and out per dataset and mint.
CREATE VIEW dataset_funding AS
SELECT b.dataset_id,
       b.mint,
       count(*)          AS bounties,
       sum(b.funded)     AS funded,
       sum(b.released)   AS released,
       sum(b.refunded)   AS refunded,
       sum(b.reserved)   AS reserved,
       sum(b.paid)       AS paid_submissions
FROM bounties b
GROUP BY b.dataset_id, b.mint;
