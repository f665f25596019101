//! Every rule the program enforces, each with a message that names it.

use anchor_lang::prelude::*;

#[error_code]
pub enum BountyError {
    // --- identity ---
    #[msg("the signer is not the bounty's creator")]
    NotCreator,
    #[msg("the submission belongs to another bounty")]
    WrongBounty,
    #[msg("the account is not the submission's contributor")]
    WrongContributor,

    // --- creation ---
    #[msg("a bounty with this creator, dataset_id and nonce already exists")]
    BountyAlreadyExists,
    #[msg("this contributor already registered this hash with this bounty")]
    SubmissionAlreadyExists,

    // --- bounty_create arguments ---
    #[msg("metadata_uri is longer than 200 bytes")]
    MetadataUriTooLong,
    #[msg("reward_per_submission must be greater than zero")]
    ZeroReward,
    #[msg("max_winners must be greater than zero")]
    ZeroMaxWinners,
    #[msg("(reward_per_submission + review_fee × reviewers) × max_winners does not fit in a u64")]
    BudgetOverflow,
    #[msg("a bounty needs between 1 and 11 reviewers")]
    InvalidReviewerCount,
    #[msg("the reviewer list names the same key twice")]
    DuplicateReviewer,
    #[msg("quorum must be between 1 and the number of reviewers")]
    InvalidQuorum,
    #[msg("deadlines must satisfy now < submission_deadline <= review_deadline")]
    InvalidDeadlines,

    // --- mint policy ---
    #[msg("non-transferable mints cannot fund a bounty")]
    MintNonTransferable,
    #[msg("mints with a transfer hook program cannot fund a bounty")]
    MintTransferHook,
    #[msg("mints whose new accounts start frozen cannot fund a bounty")]
    MintDefaultFrozen,
    #[msg(
        "the mint has a permanent delegate; the creator must opt in with allow_permanent_delegate"
    )]
    MintPermanentDelegateNotAllowed,
    #[msg("the mint carries a Token-2022 extension this program does not support")]
    MintUnsupportedExtension,

    // --- status and deadlines ---
    #[msg("the bounty is not open (it was cancelled, and no pending work can still use funds)")]
    BountyNotOpen,
    #[msg("the submission deadline has passed")]
    SubmissionDeadlinePassed,
    #[msg("the review deadline has passed")]
    ReviewDeadlinePassed,

    // --- funding ---
    #[msg("the amount must be greater than zero")]
    ZeroAmount,
    #[msg("initial funding needs the creator's token account for this mint")]
    FundingAccountMissing,
    #[msg("the funding account is not a token account of the signer for this mint")]
    WrongFundingAccount,

    // --- submissions ---
    #[msg("submission uri is longer than 200 bytes")]
    UriTooLong,
    #[msg("a reviewer of this bounty cannot submit to it")]
    ReviewerCannotSubmit,
    #[msg("every winner slot of this bounty is taken")]
    NoWinnerSlotsLeft,

    // --- attestations ---
    #[msg("the signer is not a reviewer of this bounty")]
    NotAReviewer,
    #[msg("the submission is not pending")]
    SubmissionNotPending,
    #[msg("the attested hash differs from the submission's hash")]
    HashMismatch,
    #[msg("this reviewer has already voted on this submission")]
    AlreadyAttested,
    #[msg(
        "the vault lacks unreserved funds for another reward and its approvers' fees; top up the bounty and attest again"
    )]
    InsufficientUnreservedFunds,

    // --- release, refund, close ---
    #[msg("the submission is not accepted")]
    SubmissionNotAccepted,
    #[msg("the payout account is not a token account of the contributor for this mint")]
    WrongPayoutAccount,
    #[msg("the refund account is not a token account of the creator for this mint")]
    WrongRefundAccount,
    #[msg("refunds open once the bounty is cancelled or its submission deadline has passed")]
    RefundNotYetAllowed,
    /// No longer returned: pending work locks only what it can still win (see `bounty_refund`).
    #[msg("submissions are still pending review and the review deadline has not passed")]
    SubmissionsPending,
    #[msg("nothing unreserved is left in the vault to refund")]
    NothingToRefund,
    #[msg("the submission is not final (paid, rejected, or expired)")]
    SubmissionNotFinal,
    #[msg("decided submissions close once the bounty stops taking submissions, so a closed hash cannot be submitted again")]
    BountyStillTakingSubmissions,
    #[msg("the vault still holds tokens")]
    VaultNotEmpty,
    #[msg("rewards are still reserved for accepted submissions")]
    FundsReserved,
    #[msg("submission accounts of this bounty are still open")]
    SubmissionAccountsOpen,

    // --- accounting ---
    #[msg("arithmetic overflow or underflow in the bounty's accounting")]
    MathOverflow,
    #[msg("the bounty's accounting invariant does not hold")]
    InvariantViolated,

    // --- added later; appended so that earlier error codes never move ---
    #[msg("the review window (review_deadline − submission_deadline) is longer than 180 days")]
    ReviewWindowTooLong,
    #[msg("invariant: the vault's tracked balance is below what it owes (reserved rewards, owed review fees, held bonds)")]
    InvariantVaultBelowReserved,
    #[msg("invariant: more submissions paid than accepted")]
    InvariantPaidAboveAccepted,
    #[msg("invariant: reserved differs from (accepted − paid) × reward")]
    InvariantReservedMismatch,
    #[msg("invariant: more submissions accepted than max_winners")]
    InvariantTooManyWinners,
    #[msg("invariant: more submissions pending than ever created")]
    InvariantPendingAboveSubmissions,
    #[msg("invariant: more submission accounts open than ever created")]
    InvariantOpenAccountsAboveSubmissions,
    #[msg("invariant: quorum is not between 1 and the number of reviewers")]
    InvariantInvalidQuorum,
    #[msg("the bounty's terms differ from those the submission accepted (it was re-created?)")]
    TermsChanged,
    #[msg("the mint's transfer-hook authority could set a hook program later; mints with one cannot fund a bounty")]
    MintTransferHookAuthority,
    #[msg("a payout or refund goes to the payee's associated token account unless the payee signs for another")]
    PayoutAccountNotAssociated,

    // --- fair work: review fees, bonds, reasons, extensions, replacements ---
    #[msg("the vault lacks unreserved funds for the reviewers' fees of this rejection; top up the bounty and vote again")]
    InsufficientFundsForReviewFees,
    #[msg("no review fees are owed to this reviewer")]
    NoReviewFeesOwed,
    #[msg("the fee account is not a token account of the reviewer for this mint")]
    WrongFeeAccount,
    #[msg(
        "review fees are still owed, in a slot or parked for a replaced reviewer; review_fee_claim pays them (anyone may send it, unless the reviewer's own account cannot receive: then only the reviewer, to another account)"
    )]
    ReviewFeesOwed,
    #[msg("this bounty asks a submission bond: pass the vault, the mint, the token program and the contributor's token account")]
    BondAccountsMissing,
    #[msg("the bond account is not a token account of the contributor for this mint")]
    WrongBondAccount,
    #[msg("returning this submission's bond needs the payer, vault, mint, token and associated-token programs, system program, memo program and the contributor's token account")]
    BondReturnAccountsMissing,
    #[msg("bonds of submissions are still held")]
    BondsHeld,
    #[msg("a reason can be given only with a rejection")]
    ReasonOnlyForRejections,
    #[msg("the reason uri is longer than 200 bytes")]
    ReasonUriTooLong,
    #[msg("the new submission deadline is earlier than the current one")]
    SubmissionDeadlineShortened,
    #[msg("the new review deadline is earlier than the current one")]
    ReviewDeadlineShortened,
    #[msg("max_winners can only grow")]
    MaxWinnersReduced,
    #[msg("a reviewer cannot vote on their own submission")]
    ContributorCannotReview,
    #[msg("invariant: the reviewer list names the same key twice")]
    InvariantDuplicateReviewers,
    #[msg("invariant: fees_owed or reviewer_generations is not parallel to reviewers")]
    InvariantReviewerSlots,
    #[msg("invariant: fees_reserved differs from the sum of fees_owed and parked_fees")]
    InvariantFeesReservedMismatch,
    #[msg("invariant: bonds_received differs from held + returned + forfeited")]
    InvariantBondsMismatch,
    #[msg("invariant: a fee shortfall is locked for pending work while none is pending")]
    InvariantShortfallWithoutPending,
    #[msg("this reviewer slot was given to a new key after the submission was made: only the reviewers it was submitted to vote on it")]
    ReviewerJoinedAfterSubmission,
    #[msg("fees are parked for 11 replaced reviewers already: one must be paid (review_fee_claim) before a reviewer who is owed fees and has none parked yet can be replaced")]
    ParkedFeesFull,
    #[msg("invariant: parked fees name a reviewer twice, park nothing, name no slot, or exceed 11 entries")]
    InvariantParkedFees,
}
