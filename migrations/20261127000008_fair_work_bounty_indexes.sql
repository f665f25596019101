-- A rollback at `confirmed` deletes a bounty's rows from every ledger and recounts the
-- reviewers found in them (`WHERE bounty = ANY(...)`). The other ledgers have an index
-- on `bounty`; without one here, each rollback read the whole of these three tables.
CREATE INDEX fee_awards_bounty ON fee_awards (bounty);
CREATE INDEX fee_claims_bounty ON fee_claims (bounty);
CREATE INDEX bond_movements_bounty ON bond_movements (bounty);
