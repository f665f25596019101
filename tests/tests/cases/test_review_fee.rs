//! Review fees: reserved for the reviewers whose vote agreed with a decision, claimed
//! permissionlessly, never refundable while owed.

use databounty::errors::BountyError;
use databounty::events::ReviewFeeClaimed;
use databounty::state::SubmissionStatus;
use databounty_sdk::accounts::ata;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const REWARD: u64 = 1_000_000;
const FEE: u64 = 10_000;

fn paid_reviews(initial_funding: u64) -> BountyParams {
    BountyParams {
        reward: REWARD,
        review_fee: FEE,
        initial_funding,
        ..Default::default()
    }
}

/// A bounty with paid reviews funded with `initial_funding`, its reviewers' keys, and a
/// new contributor's pending submission of `content`.
async fn paid_submission(
    kind: MintKind,
    initial_funding: u64,
    content: &[u8],
) -> (TestEnv, BountySetup, Vec<Keypair>, Submitted) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, paid_reviews(initial_funding)).await;
    let (_, submitted) = env.contribute(&setup, content).await;
    let r = setup.reviewers();
    (env, setup, r, submitted)
}

/// Only the votes that agreed with the outcome earn; each reviewer claims once.
async fn agreeing_reviewers_earn_and_claim(kind: MintKind) {
    let (mut env, setup, r, submitted) = paid_submission(kind, 2 * REWARD, b"labels").await;
    env.attest(&setup, &r[0], &submitted, false).await; // dissent
    env.attest(&setup, &r[1], &submitted, true).await;
    let events = env.attest(&setup, &r[2], &submitted, true).await; // quorum
    let reserved = find_event!(events, ReviewFeesReserved).expect("fees reserved at the decision");
    assert!(reserved.accepted);
    assert_eq!(reserved.reviewers, vec![r[1].pubkey(), r[2].pubkey()]);
    assert_eq!(reserved.reviewer_indexes, vec![1, 2]);
    assert_eq!(
        (
            reserved.amount,
            reserved.fees_reserved_before,
            reserved.fees_reserved_after
        ),
        (2 * FEE, 0, 2 * FEE)
    );
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        bounty.fees_owed,
        vec![0, FEE, FEE],
        "the dissenter earns nothing"
    );
    env.assert_books_balance(&setup).await;

    // The dissenter has nothing to claim; an approver is paid once, to a new ATA.
    assert_bounty_error(
        env.try_claim_fees(&setup, &r[0].pubkey(), None, &[]).await,
        BountyError::NoReviewFeesOwed,
    );
    let to = ata(
        &r[1].pubkey(),
        &setup.parties.mint,
        &setup.parties.token_program,
    );
    let events = env
        .try_claim_fees(&setup, &r[1].pubkey(), None, &[])
        .await
        .expect("claim");
    assert_eq!(
        events,
        vec![DatabountyEvent::ReviewFeeClaimed(ReviewFeeClaimed {
            bounty: setup.bounty,
            reviewer: r[1].pubkey(),
            reviewer_index: 1,
            reviewer_token_account: to,
            amount: FEE,
            received: FEE,
            fees_reserved_before: 2 * FEE,
            fees_reserved_after: FEE,
            fees_paid: FEE,
            claimed_at: env.now().await,
        })]
    );
    assert_eq!(env.token_balance(&to).await, FEE);
    assert_bounty_error(
        env.try_claim_fees(&setup, &r[1].pubkey(), None, &[]).await,
        BountyError::NoReviewFeesOwed,
    );
    assert_eq!(env.token_balance(&to).await, FEE, "claimed once");
    env.assert_books_balance(&setup).await;
}

/// A fee goes only to its reviewer: not to another reviewer's account, not to an outsider.
async fn a_fee_goes_only_to_its_reviewer(kind: MintKind) {
    let (mut env, setup, r, submitted) = paid_submission(kind, 2 * REWARD, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let p = &setup.parties;
    let (mint, program) = (p.mint, p.token_program);
    let thief_account = env.token_account(&r[2].pubkey(), &mint, &program).await;
    assert_bounty_error(
        env.try_claim_fees(&setup, &r[0].pubkey(), Some(thief_account), &[])
            .await,
        BountyError::WrongFeeAccount,
    );
    assert_bounty_error(
        env.try_claim_fees(&setup, &r[2].pubkey(), None, &[]).await,
        BountyError::NoReviewFeesOwed,
    );
    let outsider = env.funded_keypair(1).await;
    assert_bounty_error(
        env.try_claim_fees(&setup, &outsider.pubkey(), None, &[])
            .await,
        BountyError::NotAReviewer,
    );
    assert_eq!(env.token_balance(&thief_account).await, 0);
}

/// A crank pays the reviewer's associated account; another account needs their signature.
async fn another_account_needs_the_reviewers_signature(kind: MintKind) {
    let (mut env, setup, r, submitted) = paid_submission(kind, 2 * REWARD, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let (mint, program) = (setup.parties.mint, setup.parties.token_program);
    let other = env
        .other_token_account(&r[0].pubkey(), &mint, &program)
        .await;
    assert_bounty_error(
        env.try_claim_fees(&setup, &r[0].pubkey(), Some(other), &[])
            .await,
        BountyError::PayoutAccountNotAssociated,
    );
    env.try_claim_fees(&setup, &r[0].pubkey(), Some(other), &[&r[0]])
        .await
        .expect("the reviewer signs for another account");
    assert_eq!(env.token_balance(&other).await, FEE);
}

/// A Token-2022 account requiring incoming memos is paid (the SPL Token run is the control).
async fn an_account_requiring_memos_is_paid_its_fees(kind: MintKind) {
    let (mut env, setup, r, submitted) = paid_submission(kind, 2 * REWARD, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let (mint, program) = (setup.parties.mint, setup.parties.token_program);
    let account = env.token_account(&r[0].pubkey(), &mint, &program).await;
    if kind != MintKind::Spl {
        env.require_memos(&r[0], &account).await;
    }
    env.try_claim_fees(&setup, &r[0].pubkey(), None, &[])
        .await
        .expect("claim with a memo");
    assert_eq!(env.token_balance(&account).await, FEE);
}

/// Acceptance reserves the reward and the approvers' fees: short of either, the deciding
/// vote fails and can be sent again after a top-up.
async fn acceptance_needs_funds_for_reward_and_fees(kind: MintKind) {
    let (mut env, setup, r, submitted) = paid_submission(kind, REWARD + FEE, b"labels").await;
    env.attest(&setup, &r[0], &submitted, true).await;
    assert_bounty_error(
        env.try_attest(&setup, &r[1], &submitted, true).await,
        BountyError::InsufficientUnreservedFunds,
    );
    env.top_up(&setup, FEE).await;
    env.attest(&setup, &r[1], &submitted, true).await;
    assert_eq!(env.status(&submitted).await, SubmissionStatus::Accepted);
    env.assert_books_balance(&setup).await;
}

/// A rejection reserves the rejecters' fees: without funds the deciding vote fails, and
/// goes through after a top-up.
async fn a_rejection_that_cannot_pay_its_fees_waits(kind: MintKind) {
    let (mut env, setup, r, submitted) = paid_submission(kind, FEE, b"junk").await;
    env.attest(&setup, &r[0], &submitted, false).await;
    assert_bounty_error(
        env.try_attest(&setup, &r[1], &submitted, false).await,
        BountyError::InsufficientFundsForReviewFees,
    );
    let state = env.submission_state(&submitted.address).await;
    assert_eq!(
        (state.rejections, state.status),
        (0b1, SubmissionStatus::Pending),
        "the failed vote left no trace"
    );
    env.top_up(&setup, FEE).await;
    let events = env.attest(&setup, &r[1], &submitted, false).await;
    let reserved = find_event!(events, ReviewFeesReserved).expect("fees reserved");
    assert!(!reserved.accepted);
    assert_eq!(reserved.reviewers, vec![r[0].pubkey(), r[1].pubkey()]);
    assert_eq!(
        env.bounty_state(&setup.bounty).await.fees_owed,
        vec![FEE, FEE, 0]
    );
    env.assert_books_balance(&setup).await;
}

/// A rejected submission's bond joins the bounty's funds before the rejection's fees are
/// reserved: a bounty with too little for the fees still takes the rejection when the
/// forfeited bond covers them.
async fn a_forfeited_bond_pays_its_rejections_fees(kind: MintKind) {
    let params = paid_reviews(FEE).bond(2 * FEE);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let r = setup.reviewers();
    let (_, submitted) = env.contribute(&setup, b"junk").await;
    env.attest(&setup, &r[0], &submitted, false).await;
    let events = env.attest(&setup, &r[1], &submitted, false).await;
    assert!(find_event!(events, SubmissionBondForfeited).is_some());
    let reserved = find_event!(events, ReviewFeesReserved).expect("fees reserved");
    assert_eq!(reserved.amount, 2 * FEE);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(bounty.fees_owed, vec![FEE, FEE, 0]);
    assert_eq!(bounty.bonds_forfeited, 2 * FEE);
    env.assert_books_balance(&setup).await;
}

/// A refund racing reserved fees: the creator gets only what nobody is owed, and every
/// reviewer can still claim afterwards.
async fn a_refund_cannot_take_reserved_fees(kind: MintKind) {
    let extra = 123_456;
    let params = paid_reviews(REWARD + 2 * FEE + extra);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let r = setup.reviewers();
    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    env.cancel(&setup).await;
    let refunded = env.refund_to_creator(&setup).await;
    assert_eq!(refunded.amount, extra, "owed fees stay in the vault");
    for reviewer in &r[..2] {
        env.try_claim_fees(&setup, &reviewer.pubkey(), None, &[])
            .await
            .expect("claim after the refund");
    }
    env.try_release(&setup, &submitted, &contributor.ata)
        .await
        .expect("release after the refund");
    let vault = env.bounty_state(&setup.bounty).await.vault;
    assert_eq!(env.token_balance(&vault).await, 0, "everyone was paid");
    env.assert_books_balance(&setup).await;
}

/// Pending work keeps back from refunds what its decisions can still reserve: fees of
/// the acceptances still possible and of rejections beyond their bonds.
async fn pending_decisions_keep_their_fees_from_refunds(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, paid_reviews(10 * REWARD)).await;
    let mut submitted = Vec::new();
    for content in [b"a", b"b", b"c"] {
        submitted.push(env.contribute(&setup, content).await.1);
    }
    env.past_submission_deadline(&setup).await;
    let refunded = env.refund_to_creator(&setup).await;
    // Two winner slots at reward + 2 fees, and three rejections at 2 fees each.
    let locked = 2 * (REWARD + 2 * FEE) + 3 * 2 * FEE;
    assert_eq!(refunded.amount, 10 * REWARD - locked);
    // The rejection first (and it finds its fees): once both slots are taken, the third
    // can no longer win and takes no votes.
    env.votes(&setup, &submitted[2], 2, false).await;
    env.votes(&setup, &submitted[0], 2, true).await;
    env.votes(&setup, &submitted[1], 2, true).await;
    env.assert_books_balance(&setup).await;
}

/// With bonds, pending work keeps back only the rejection fees its bond does not cover
/// (`pending_fee_shortfall`), and the bonds themselves are never refunded.
async fn bonds_lower_what_pending_work_keeps_back(kind: MintKind) {
    let params = paid_reviews(10 * REWARD).bond(FEE);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    for content in [b"a", b"b", b"c"] {
        env.contribute(&setup, content).await;
    }
    env.past_submission_deadline(&setup).await;
    let refunded = env.refund_to_creator(&setup).await;
    // Two winner slots at reward + 2 fees; each rejection's 2 fees less its bond of one.
    let locked = 2 * (REWARD + 2 * FEE) + 3 * (2 * FEE - FEE);
    assert_eq!(refunded.amount, 10 * REWARD - locked);
    let vault = env.bounty_state(&setup.bounty).await.vault;
    assert_eq!(
        env.token_balance(&vault).await,
        locked + 3 * FEE,
        "bonds kept"
    );
    env.assert_books_balance(&setup).await;
}

on_both_token_programs! {
    agreeing_reviewers_earn_the_fee_and_claim_it_once => agreeing_reviewers_earn_and_claim;
    a_reviewer_cannot_claim_another_reviewers_fee => a_fee_goes_only_to_its_reviewer;
    another_fee_account_needs_the_reviewers_signature => another_account_needs_the_reviewers_signature;
    an_account_requiring_memos_is_paid_its_fees => an_account_requiring_memos_is_paid_its_fees;
    acceptance_waits_for_funds_for_reward_and_fees => acceptance_needs_funds_for_reward_and_fees;
    a_rejection_that_cannot_pay_its_fees_waits_for_a_top_up => a_rejection_that_cannot_pay_its_fees_waits;
    a_refund_cannot_take_reserved_fees => a_refund_cannot_take_reserved_fees;
    pending_decisions_keep_their_fees_from_refunds => pending_decisions_keep_their_fees_from_refunds;
    a_forfeited_bond_pays_its_rejections_fees => a_forfeited_bond_pays_its_rejections_fees;
    bonds_lower_what_pending_work_keeps_back => bonds_lower_what_pending_work_keeps_back;
}
