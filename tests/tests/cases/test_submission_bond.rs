//! Submission bonds: escrowed apart from rewards, returned on acceptance or when the
//! submission closes undecided, forfeited to the bounty on rejection.

use databounty::errors::BountyError;
use databounty::events::SubmissionBondPosted;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::instructions as ix;
use databounty_tests::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

const BOND: u64 = 50_000;

/// What each contributor to a bonded bounty holds before submitting.
const START: u64 = BOND * CONTRIBUTOR_BONDS;

fn bonded() -> BountyParams {
    BountyParams::default().bond(BOND)
}

/// A bonded bounty and a new contributor's pending submission of `content`.
async fn bonded_submission(
    kind: MintKind,
    content: &[u8],
) -> (TestEnv, BountySetup, Contributor, Submitted) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, bonded()).await;
    let (contributor, submitted) = env.contribute(&setup, content).await;
    (env, setup, contributor, submitted)
}

/// The bond goes into the vault at submission, apart from the rewards, and comes back
/// with the reward.
async fn a_bond_comes_back_with_the_reward(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = bonded_submission(kind, b"labels").await;
    assert_eq!(
        submitted.events[1],
        DatabountyEvent::SubmissionBondPosted(SubmissionBondPosted {
            bounty: setup.bounty,
            submission: submitted.address,
            contributor: contributor.key.pubkey(),
            requested: BOND,
            received: BOND,
            bonds_held_before: 0,
            bonds_held_after: BOND,
            posted_at: env.now().await,
        })
    );
    assert_eq!(env.token_balance(&contributor.ata).await, START - BOND);
    assert_eq!(env.submission_state(&submitted.address).await.bond, BOND);
    env.assert_books_balance(&setup).await;
    env.votes(&setup, &submitted, 2, true).await;
    let events = env.release(&setup, &submitted, &contributor.ata).await;
    let returned = find_event!(events, SubmissionBondReturned).expect("bond returned");
    assert_eq!((returned.amount, returned.received), (BOND, BOND));
    let reward = setup.args.reward_per_submission;
    assert_eq!(env.token_balance(&contributor.ata).await, START + reward);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!((bounty.bonds_held, bounty.bonds_returned), (0, BOND));
    env.assert_books_balance(&setup).await;
}

/// A rejected submission's bond joins the bounty's funds, and so the creator's refund.
async fn a_rejected_bond_is_forfeited(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = bonded_submission(kind, b"junk").await;
    env.votes(&setup, &submitted, 2, false).await;
    let state = env.submission_state(&submitted.address).await;
    assert_eq!((state.status, state.bond), (SubmissionStatus::Rejected, 0));
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!((bounty.bonds_held, bounty.bonds_forfeited), (0, BOND));
    env.assert_books_balance(&setup).await;
    env.cancel(&setup).await;
    let refunded = env.refund_to_creator(&setup).await;
    assert_eq!(refunded.amount, setup.args.initial_funding + BOND);
    // A rejected submission closes without token accounts.
    env.close_submission(&setup, &submitted).await;
    assert_eq!(env.token_balance(&contributor.ata).await, START - BOND);
    env.assert_books_balance(&setup).await;
}

/// A submission that expired undecided gets its bond back when it closes.
async fn an_expired_bond_is_returned_at_close(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = bonded_submission(kind, b"labels").await;
    env.past_review_deadline(&setup).await;
    assert_bounty_error(
        env.try_close_submission(&setup, &submitted, &contributor.key.pubkey())
            .await,
        BountyError::BondReturnAccountsMissing,
    );
    let events = env
        .try_close_returning_bond(&setup, &submitted, None, &[])
        .await
        .expect("close");
    let returned = find_event!(events, SubmissionBondReturned).expect("bond returned");
    assert_eq!(returned.contributor_token_account, contributor.ata);
    assert_eq!(env.token_balance(&contributor.ata).await, START);
    assert!(!env.exists(&submitted.address).await);
    env.assert_books_balance(&setup).await;
}

/// Pending work of a full bounty can no longer win: it closes with its bond returned.
async fn a_bond_that_can_no_longer_win_is_returned(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, bonded().max_winners(1)).await;
    let (_, winner) = env.contribute(&setup, b"a").await;
    let (b, loser) = env.contribute(&setup, b"b").await;
    env.votes(&setup, &winner, 2, true).await;
    let start = env.token_balance(&b.ata).await;
    env.try_close_returning_bond(&setup, &loser, None, &[])
        .await
        .expect("close");
    assert_eq!(env.token_balance(&b.ata).await, start + BOND);
    env.assert_books_balance(&setup).await;
}

/// A bonded bounty, a contributor's key, another contributor's token account and the
/// bounty's terms: what a hand-built `submission_create` needs.
async fn two_contributors(kind: MintKind) -> (TestEnv, BountySetup, Keypair, Pubkey, [u8; 32]) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, bonded()).await;
    let contributor = env.contributor(&setup).await;
    let other = env.contributor(&setup).await;
    let terms = env.terms(&setup).await;
    (env, setup, contributor.key, other.ata, terms)
}

/// `key`'s submission of hash `[1; 32]` under `terms`, posting the bond from
/// `token_account` (their associated one when `None`).
fn bonded_create(
    key: &Keypair,
    setup: &BountySetup,
    terms: [u8; 32],
    token_account: Option<Pubkey>,
) -> Instruction {
    let p = &setup.parties;
    let bond = ix::BondAccounts {
        mint: p.mint,
        token_program: p.token_program,
        token_account,
    };
    ix::submission_create_with_bond(&key.pubkey(), &setup.bounty, [1; 32], None, terms, bond)
}

/// The bond must come from the contributor's own account, and its accounts must be passed.
async fn the_bond_needs_the_contributors_account(kind: MintKind) {
    let (mut env, setup, key, other_ata, terms) = two_contributors(kind).await;
    let without = ix::submission_create(&key.pubkey(), &setup.bounty, [1; 32], None, terms);
    assert_bounty_error(
        env.send(&[without], &[&key]).await,
        BountyError::BondAccountsMissing,
    );
    let from_other = bonded_create(&key, &setup, terms, Some(other_ata));
    assert_bounty_error(
        env.send(&[from_other], &[&key]).await,
        BountyError::WrongBondAccount,
    );
}

/// The bond goes only to this bounty's vault, through its token program: a contributor
/// who named an account of their own as the "vault" would be credited a bond the vault
/// never received, and be paid it back later out of the creator's funds.
async fn the_bond_goes_to_the_bountys_vault(kind: MintKind) {
    let (mut env, setup, key, other_ata, terms) = two_contributors(kind).await;
    let p = &setup.parties;
    let vault = env.bounty_state(&setup.bounty).await.vault;
    let honest = bonded_create(&key, &setup, terms, None);
    let other_program = if p.token_program == anchor_spl::token::ID {
        anchor_spl::token_2022::ID
    } else {
        anchor_spl::token::ID
    };
    let before = env.token_balance(&vault).await;
    for (real, fake) in [(vault, other_ata), (p.token_program, other_program)] {
        let mut forged = honest.clone();
        let at = forged.accounts.iter().position(|meta| meta.pubkey == real);
        forged.accounts[at.expect("passed")].pubkey = fake;
        assert_bounty_error(
            env.send(&[forged], &[&key]).await,
            BountyError::WrongBondAccount,
        );
    }
    env.send(&[honest], &[&key])
        .await
        .expect("the real accounts");
    assert_eq!(env.token_balance(&vault).await, before + BOND);
    env.assert_books_balance(&setup).await;
}

/// Refunds never take held bonds: the vault keeps them until they are returned.
async fn a_refund_cannot_take_held_bonds(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, bonded()).await;
    let (_, submitted) = env.contribute(&setup, b"labels").await;
    env.cancel(&setup).await;
    env.past_review_deadline(&setup).await;
    let refunded = env.refund_to_creator(&setup).await;
    assert_eq!(
        refunded.amount, setup.args.initial_funding,
        "the bond stays"
    );
    let vault = env.bounty_state(&setup.bounty).await.vault;
    assert_eq!(env.token_balance(&vault).await, BOND);
    env.try_close_returning_bond(&setup, &submitted, None, &[])
        .await
        .expect("the bond is still there to return");
    env.assert_books_balance(&setup).await;
}

on_both_token_programs! {
    a_bond_is_escrowed_and_returned_with_the_reward => a_bond_comes_back_with_the_reward;
    a_rejected_submissions_bond_is_forfeited_to_the_bounty => a_rejected_bond_is_forfeited;
    an_expired_submissions_bond_is_returned_at_close => an_expired_bond_is_returned_at_close;
    a_submission_that_can_no_longer_win_gets_its_bond_back => a_bond_that_can_no_longer_win_is_returned;
    the_bond_comes_from_the_contributors_own_account => the_bond_needs_the_contributors_account;
    the_bond_goes_to_the_bountys_vault => the_bond_goes_to_the_bountys_vault;
    a_refund_cannot_take_held_bonds => a_refund_cannot_take_held_bonds;
}

/// Under a 1% transfer fee the vault holds what arrived: the bond as received is held,
/// returned, and the books equal the vault at every step.
#[tokio::test]
async fn bonds_are_conserved_under_a_transfer_fee() {
    let params = bonded().review_fee(1_000);
    let (mut env, setup) = TestEnv::with_bounty_params(MintKind::ONE_PERCENT_FEE, params).await;
    let r = setup.reviewers();
    let (a, accepted) = env.contribute(&setup, b"a").await;
    let (_, rejected) = env.contribute(&setup, b"b").await;
    let received = BOND - BOND / 100;
    assert_eq!(env.submission_state(&accepted.address).await.bond, received);
    assert_eq!(
        env.bounty_state(&setup.bounty).await.bonds_received,
        2 * received
    );
    env.assert_books_balance(&setup).await;
    env.votes(&setup, &accepted, 2, true).await;
    env.votes(&setup, &rejected, 2, false).await;
    env.assert_books_balance(&setup).await;
    let events = env.release(&setup, &accepted, &a.ata).await;
    let returned = find_event!(events, SubmissionBondReturned).expect("bond returned");
    assert_eq!(returned.amount, received);
    assert_eq!(returned.received, received - received.div_ceil(100));
    let owed = env.bounty_state(&setup.bounty).await.fees_owed;
    for (reviewer, fee) in r.iter().zip(owed) {
        if fee > 0 {
            env.try_claim_fees(&setup, &reviewer.pubkey(), None, &[])
                .await
                .expect("claim");
        }
    }
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (
            bounty.bonds_held,
            bounty.bonds_returned,
            bounty.bonds_forfeited
        ),
        (0, received, received)
    );
    env.assert_books_balance(&setup).await;
}
