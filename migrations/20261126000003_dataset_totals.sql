-- Funding and payout per dataset and mint, kept by the writer (recounted from the
-- bounties a write touches) instead of aggregated over every bounty per request.
DROP VIEW IF EXISTS dataset_funding;

CREATE TABLE dataset_totals (
    dataset_id       text    NOT NULL,
    mint             text    NOT NULL,
    bounties         bigint  NOT NULL,
    funded           numeric NOT NULL,
    released         numeric NOT NULL,
    refunded         numeric NOT NULL,
    reserved         numeric NOT NULL,
    paid_submissions numeric NOT NULL,
    PRIMARY KEY (dataset_id, mint)
);

INSERT INTO dataset_totals
SELECT dataset_id, mint, count(*), sum(funded), sum(released), sum(refunded), sum(reserved), sum(paid)
FROM bounties
GROUP BY dataset_id, mint;

CREATE VIEW dataset_funding AS
SELECT dataset_id, mint, bounties, funded, released, refunded, reserved, paid_submissions
FROM dataset_totals;

CREATE INDEX bounties_dataset_mint ON bounties (dataset_id, mint);
CREATE INDEX contributor_totals_page ON contributor_totals (earned DESC, contributor, mint) INCLUDE (paid_submissions);
-- Pages of a bounty's submissions walk this index alone.
CREATE INDEX submissions_bounty_page ON submissions (bounty, created_slot, created_pos, submission, incarnation);
