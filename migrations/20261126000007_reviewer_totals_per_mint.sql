-- Reviewer totals are kept per token, as contributors' are: a review fee is paid in the
-- bounty's mint, and fees in different mints are different money, yet a reviewer paid
-- in two tokens had one sum of both. Votes are counted per mint too (the mint of the
-- bounty voted on), so one mint's rows stand on their own, and a reviewer's agreement
-- over every mint is the sum of its rows' votes and agreements.
DROP VIEW reviewer_agreement;
DROP TABLE reviewer_totals;

CREATE TABLE reviewer_totals (
    reviewer     text          NOT NULL,
    mint         text          NOT NULL,
    votes        bigint        NOT NULL,
    agreed       bigint        NOT NULL,
    fees_earned  numeric(30,0) NOT NULL DEFAULT 0,
    fees_claimed numeric(30,0) NOT NULL DEFAULT 0,
    PRIMARY KEY (reviewer, mint)
);
-- The API's page order, over every mint and within one.
CREATE INDEX reviewer_totals_page ON reviewer_totals (votes DESC, reviewer, mint);
CREATE INDEX reviewer_totals_mint_page ON reviewer_totals (mint, votes DESC, reviewer);

-- Fill it from what is already indexed.
INSERT INTO reviewer_totals (reviewer, mint, votes, agreed)
SELECT a.reviewer, b.mint, count(*), count(*) FILTER (WHERE a.approve = (s.status IN ('Accepted', 'Paid')))
FROM attestations a
JOIN submissions s ON s.submission = a.submission AND s.incarnation = a.submission_incarnation
JOIN bounties b ON b.bounty = s.bounty AND b.incarnation = s.bounty_incarnation
WHERE s.status IN ('Accepted', 'Paid', 'Rejected')
GROUP BY a.reviewer, b.mint;

INSERT INTO reviewer_totals (reviewer, mint, votes, agreed, fees_earned, fees_claimed)
SELECT f.reviewer, b.mint, 0, 0, sum(f.earned), sum(f.claimed)
FROM (SELECT reviewer, bounty, bounty_incarnation, fee AS earned, 0 AS claimed FROM fee_awards
      UNION ALL
      SELECT reviewer, bounty, bounty_incarnation, 0, amount FROM fee_claims) f
JOIN bounties b ON b.bounty = f.bounty AND b.incarnation = f.bounty_incarnation
GROUP BY f.reviewer, b.mint
ON CONFLICT (reviewer, mint) DO UPDATE SET fees_earned = EXCLUDED.fees_earned,
    fees_claimed = EXCLUDED.fees_claimed;

CREATE VIEW reviewer_agreement AS
SELECT reviewer, mint, votes, agreed, round(agreed::numeric / nullif(votes, 0), 4) AS agreement,
       fees_earned, fees_claimed
FROM reviewer_totals
WHERE votes > 0 OR fees_earned > 0 OR fees_claimed > 0;
