-- Time filters on the long lists (`?created_before=`, `?paid_after=`, ...) keep the
-- list's order, so a page walks the list's keyset index and skips the rows outside
-- the range. With what the filters read in the index, that walk is index-only (on
-- pages vacuum has marked all-visible): a skipped row costs an index entry, not a heap
-- fetch. A payout's mint filter also reads its bounty from the index. The walk stays
-- exact whatever order block times come in.
--
-- Like every migration, this runs in one transaction, so a standby instance waits on
-- these tables until the four indexes are built (seconds at a million events).
DROP INDEX IF EXISTS bounties_created;
CREATE INDEX bounties_created ON bounties (created_slot, bounty, incarnation) INCLUDE (created_at);
DROP INDEX IF EXISTS bounties_mint;
CREATE INDEX bounties_mint ON bounties (mint, created_slot, bounty, incarnation) INCLUDE (created_at);
DROP INDEX IF EXISTS submissions_bounty_page;
CREATE INDEX submissions_bounty_page ON submissions (bounty, created_slot, created_pos, submission, incarnation)
    INCLUDE (created_at);
DROP INDEX IF EXISTS payouts_contributor_order;
CREATE INDEX payouts_contributor_order ON payouts (contributor, slot, pos)
    INCLUDE (signature, instruction_index, inner_index, paid_at, bounty, bounty_incarnation);

-- Prefixes of the indexes above: they only cost writes.
DROP INDEX IF EXISTS submissions_bounty;
DROP INDEX IF EXISTS payouts_contributor;
