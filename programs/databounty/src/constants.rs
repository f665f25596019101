//! Seeds and limits shared by the program and its clients.

/// Seed prefix of a [`crate::state::Bounty`] PDA: `["bounty", creator, dataset_id, nonce_le]`.
pub const SEED_BOUNTY: &[u8] = b"bounty";
/// Seed prefix of a bounty's vault token account: `["vault", bounty]`.
pub const SEED_VAULT: &[u8] = b"vault";
/// Seed prefix of a [`crate::state::Submission`] PDA: `["submission", bounty, contributor, hash]`
/// (bound to the contributor, so that nobody can squat another contributor's address).
pub const SEED_SUBMISSION: &[u8] = b"submission";

/// Longest `metadata_uri` of a bounty and `uri` of a submission, in bytes.
pub const MAX_URI_LEN: usize = 200;
/// Most reviewers a bounty can list. Reviewers travel in `bounty_create`'s instruction
/// data (32 bytes each), and a cluster refuses transactions over 1,232 bytes: with a
/// 200-byte URI, initial funding, a review fee and a submission bond, a fee payer other
/// than the creator (two signatures) and a priority fee (two compute-budget
/// instructions), 11 reviewers make 1,214 bytes and 12 would make 1,246. Votes are
/// bitmaps in a `u32`. See docs/PROGRAM.md.
pub const MAX_REVIEWERS: usize = 11;

/// The SPL Memo program (v3). Payouts to a Token-2022 account that requires incoming
/// transfer memos are preceded by a memo CPI to it.
pub const MEMO_PROGRAM_ID: anchor_lang::prelude::Pubkey =
    anchor_lang::pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");

/// Domain separator of a bounty's terms hash (see `Bounty::terms_hash`).
pub const TERMS_HASH_DOMAIN: &[u8] = b"databounty/terms/v2";

/// Domain separator of the submission hash (see the SDK's `submission_hash`).
pub const SUBMISSION_HASH_DOMAIN: &[u8] = b"databounty/submission/v1";

/// Longest review window, `review_deadline − submission_deadline`, in seconds (180 days).
/// Pending work can hold up to `min(pending, winner slots left) × (reward + quorum ×
/// review_fee)` of the escrow, and the fee shortfall of its rejections, until the review
/// deadline; the bound keeps that finite.
pub const MAX_REVIEW_WINDOW: i64 = 180 * 24 * 60 * 60;
