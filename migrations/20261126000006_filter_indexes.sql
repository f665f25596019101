-- Time filters on the long lists (`?created_before=`, `?paid_after=`, ...) keep the
-- list's order, so a page walks the list's keyset index and skips the rows outside
-- the range. With what the filters read in the index, that walk is index-only (on
-- pages vacuum has marked all-visible): a skipped row costs an index entry, not a heap
-- fetch. A payout's mint filter also reads its bounty from the index. The walk stays
-- exact whatever order block times come in.
--
-- A contributor's earnings in one mint (`/contributors/earnings?mint=`) read their own
-- index in the list's order; without it a deep page sorted the mint's every total (57
-- ms at offset 4,500 of a million events).
--
-- Like every migration, this runs in one transaction, so a standby instance waits on
-- these tables until the indexes are built (seconds at a million events).
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

CREATE INDEX contributor_totals_mint_page ON contributor_totals (mint, earned DESC, contributor)
    INCLUDE (paid_submissions);

-- Prefixes of other indexes (the last the same keys as contributor_totals_page): they
-- only cost writes.
DROP INDEX IF EXISTS submissions_bounty;
DROP INDEX IF EXISTS payouts_contributor;
DROP INDEX IF EXISTS contributor_totals_earned;
