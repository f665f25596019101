-- Keyset pages: each long list is ordered by columns in one direction, so that a cursor
-- (`?after=`) is one row comparison that starts an index walk at any depth. Bounties
-- and payouts read newest first by walking these indexes backwards.
DROP INDEX IF EXISTS bounties_created;
CREATE INDEX bounties_created ON bounties (created_slot, bounty, incarnation);
DROP INDEX IF EXISTS bounties_mint;
CREATE INDEX bounties_mint ON bounties (mint, created_slot, bounty, incarnation);
DROP INDEX IF EXISTS payouts_contributor_order;
CREATE INDEX payouts_contributor_order ON payouts (contributor, slot, pos);
