//! `bounty_reviewer_replace`: a new key takes a slot; the old reviewer's votes on pending
//! work stop counting, decided work is untouched, fees owed are paid first or parked.

use databounty::constants::MAX_REVIEWERS;
use databounty::errors::BountyError;
use databounty::events::ReviewerReplaced;
use databounty::state::{ParkedFees, SubmissionStatus};
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::instructions as ix;
use databounty_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// A stale approval does not make a quorum with a current one; the old key can no longer
/// vote; the new reviewer votes on work submitted after the replacement, not before.
async fn a_replaced_reviewers_vote_stops_counting(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let r = setup.reviewers();
    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    env.attest(&setup, &r[0], &submitted, true).await; // before the replacement
    let new = env.funded_keypair(1).await;
    let creator = setup.creator();
    let events = env
        .replace_reviewer(&setup, &r[0].pubkey(), &new.pubkey())
        .await;
    assert_eq!(
        events,
        vec![DatabountyEvent::ReviewerReplaced(ReviewerReplaced {
            bounty: setup.bounty,
            creator: creator.pubkey(),
            reviewer_index: 0,
            old_reviewer: r[0].pubkey(),
            new_reviewer: new.pubkey(),
            generation_before: 0,
            generation_after: 1,
            fees_parked: 0,
            replaced_at: env.now().await,
        })]
    );
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(bounty.reviewers[0], new.pubkey());
    assert_eq!((bounty.reviewers.len(), bounty.quorum), (3, 2));

    env.attest(&setup, &r[1], &submitted, true).await; // after the replacement
    let state = env.submission_state(&submitted.address).await;
    assert_eq!(
        (state.status, state.approvals),
        (SubmissionStatus::Pending, 0b10),
        "the stale approval was dropped, not counted"
    );
    assert_bounty_error(
        env.try_attest(&setup, &r[0], &submitted, true).await,
        BountyError::NotAReviewer,
    );
    assert_bounty_error(
        env.try_attest(&setup, &new, &submitted, true).await,
        BountyError::ReviewerJoinedAfterSubmission,
    );
    let later = env.submit(&setup, &contributor.key, b"later labels").await;
    // The new reviewer votes on later work; a second approval decides it.
    env.attest(&setup, &new, &later, true).await;
    env.attest(&setup, &r[1], &later, true).await;
    assert_eq!(env.status(&later).await, SubmissionStatus::Accepted);
    env.assert_books_balance(&setup).await;
}

/// The creator cannot name its own reviewers to reject pending work and keep its bond:
/// keys given a slot after the work was submitted cannot vote on it, and the bond stays
/// held for the contributor.
async fn new_reviewers_cannot_decide_earlier_work(kind: MintKind) {
    let params = BountyParams::default().bond(1_000);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let r = setup.reviewers();
    let (_, submitted) = env.contribute(&setup, b"labels").await;
    let mut puppets = Vec::new();
    for old in &r[..2] {
        let puppet = env.funded_keypair(1).await;
        env.replace_reviewer(&setup, &old.pubkey(), &puppet.pubkey())
            .await;
        puppets.push(puppet);
    }
    for puppet in &puppets {
        assert_bounty_error(
            env.try_attest(&setup, puppet, &submitted, false).await,
            BountyError::ReviewerJoinedAfterSubmission,
        );
    }
    let state = env.submission_state(&submitted.address).await;
    assert_eq!(state.status, SubmissionStatus::Pending);
    assert!(state.bond > 0, "the bond is still the contributor's");
    assert_eq!(env.bounty_state(&setup.bounty).await.bonds_forfeited, 0);
    env.assert_books_balance(&setup).await;
}

/// Decided submissions keep their outcome, and the old reviewer's fees are not lost: the
/// creator can pay them in the same transaction (claims are permissionless).
async fn decided_work_and_owed_fees_are_untouched(kind: MintKind) {
    let fee = 5_000;
    let params = BountyParams::default().review_fee(fee);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let r = setup.reviewers();
    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let new = env.funded_keypair(1).await;
    let creator = setup.creator();
    let p = &setup.parties;
    let payer = env.payer().pubkey();
    let claim = ix::review_fee_claim(
        &payer,
        &setup.bounty,
        &r[0].pubkey(),
        &p.mint,
        &p.token_program,
        None,
    );
    let replace = ix::bounty_reviewer_replace(
        &creator.pubkey(),
        &setup.bounty,
        &r[0].pubkey(),
        &new.pubkey(),
    );
    env.send(&[claim, replace], &[&creator])
        .await
        .expect("claim and replace in one transaction");
    let to = databounty_sdk::accounts::ata(&r[0].pubkey(), &p.mint, &p.token_program);
    assert_eq!(env.token_balance(&to).await, fee, "the fee was not lost");
    let bounty = env.bounty_state(&setup.bounty).await;
    assert!(bounty.parked_fees.is_empty(), "paid, so nothing parked");
    assert_eq!(env.status(&submitted).await, SubmissionStatus::Accepted);
    env.try_release(&setup, &submitted, &contributor.ata)
        .await
        .expect("the decided submission is paid");
    env.assert_books_balance(&setup).await;
}

async fn only_the_creator_replaces(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let r = setup.reviewers();
    let stranger = env.funded_keypair(1).await;
    assert_bounty_error(
        env.try_replace_reviewer(&setup, &stranger, &r[0].pubkey(), &stranger.pubkey())
            .await,
        BountyError::NotCreator,
    );
}

/// One key, one slot: a listed reviewer cannot take a second slot (the quorum would then
/// exceed the distinct reviewers); only a listed key can be replaced.
async fn the_new_key_must_not_be_listed(kind: MintKind) {
    let params = BountyParams::default().quorum(3);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let r = setup.reviewers();
    let creator = setup.creator();
    assert_bounty_error(
        env.try_replace_reviewer(&setup, &creator, &r[0].pubkey(), &r[1].pubkey())
            .await,
        BountyError::DuplicateReviewer,
    );
    let outsider = env.funded_keypair(1).await;
    assert_bounty_error(
        env.try_replace_reviewer(&setup, &creator, &outsider.pubkey(), &creator.pubkey())
            .await,
        BountyError::NotAReviewer,
    );
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(bounty.reviewers, setup.args.reviewers);
}

/// A contributor made reviewer by a replacement cannot vote on their own submission.
async fn a_contributor_cannot_review_their_own_work(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let r = setup.reviewers();
    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    env.replace_reviewer(&setup, &r[0].pubkey(), &contributor.key.pubkey())
        .await;
    assert_bounty_error(
        env.try_attest(&setup, &contributor.key, &submitted, true)
            .await,
        BountyError::ContributorCannotReview,
    );
}

/// How a reviewer's token account stops taking payments.
#[derive(Clone, Copy)]
enum Unpayable {
    /// Frozen by the mint's freeze authority.
    Frozen,
    /// Given away by its holder (classic SPL Token), to stall its own replacement.
    GivenAway,
}

/// A reviewer whose token account cannot receive is replaced all the same: its fees are
/// parked, stay counted in `fees_reserved`, and are paid later to an account it signs
/// for. Before parking, no crank could pay it, so no replacement could happen.
async fn an_unpayable_reviewer_is_replaced(kind: MintKind, how: Unpayable) {
    let fee = 5_000;
    let params = BountyParams::default().review_fee(fee);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let r = setup.reviewers();
    let (mint, program) = (setup.parties.mint, setup.parties.token_program);
    let (_, submitted) = env.contribute(&setup, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let account = env.token_account(&r[0].pubkey(), &mint, &program).await;
    match how {
        Unpayable::Frozen => env.set_frozen(&mint, &program, &account, true).await,
        Unpayable::GivenAway => {
            env.give_away_token_account(&r[0], &program, &account, &Pubkey::new_unique())
                .await
        }
    }
    let crank = env.try_claim_fees(&setup, &r[0].pubkey(), None, &[]).await;
    assert!(crank.is_err(), "no crank can pay the old reviewer");

    let new = env.funded_keypair(1).await;
    let creator = setup.creator();
    let events = env
        .try_replace_reviewer(&setup, &creator, &r[0].pubkey(), &new.pubkey())
        .await
        .expect("replaced while owed fees");
    assert!(
        matches!(&events[..], [DatabountyEvent::ReviewerReplaced(e)] if e.fees_parked == fee),
        "{events:?}"
    );
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(bounty.fees_owed, vec![0, fee, 0]);
    let parked = ParkedFees {
        reviewer: r[0].pubkey(),
        slot: 0,
        amount: fee,
    };
    assert_eq!(bounty.parked_fees, vec![parked]);
    assert_eq!(bounty.fees_reserved, 2 * fee, "still kept back for them");
    env.assert_books_balance(&setup).await;

    let other = env
        .other_token_account(&r[0].pubkey(), &mint, &program)
        .await;
    let events = env
        .try_claim_fees(&setup, &r[0].pubkey(), Some(other), &[&r[0]])
        .await
        .expect("the parked fees are claimed");
    assert!(
        matches!(&events[..], [DatabountyEvent::ReviewFeeClaimed(e)]
            if (e.reviewer_index, e.amount) == (0, fee)),
        "{events:?}"
    );
    assert_eq!(env.token_balance(&other).await, fee);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert!(bounty.parked_fees.is_empty());
    assert_eq!(
        bounty.fees_reserved, fee,
        "the other reviewer's fee is untouched"
    );
    assert_bounty_error(
        env.try_claim_fees(&setup, &r[0].pubkey(), Some(other), &[&r[0]])
            .await,
        BountyError::NotAReviewer,
    );
    env.assert_books_balance(&setup).await;
}

async fn a_frozen_reviewer(kind: MintKind) {
    an_unpayable_reviewer_is_replaced(kind, Unpayable::Frozen).await
}

#[tokio::test]
async fn a_reviewer_who_gives_its_account_away_cannot_stall_its_replacement() {
    an_unpayable_reviewer_is_replaced(MintKind::Spl, Unpayable::GivenAway).await
}

/// At most `MAX_REVIEWERS` replaced reviewers have fees parked at once: one more is
/// refused until a claim, which anyone may send, frees an entry.
#[tokio::test]
async fn parked_fees_are_bounded_and_a_claim_frees_an_entry() {
    let fee = 1_000;
    let params = BountyParams::default()
        .review_fee(fee)
        .reward(1_000)
        .funding(1_000_000)
        .max_winners(MAX_REVIEWERS as u32 + 1);
    let (mut env, setup) = TestEnv::with_bounty_params(MintKind::Spl, params).await;
    let r = setup.reviewers();
    let creator = setup.creator();
    let mut current = r[0].insecure_clone();
    let mut parked = Vec::new();
    for round in 0..=MAX_REVIEWERS {
        let (_, submitted) = env.contribute(&setup, &[round as u8]).await;
        env.attest(&setup, &current, &submitted, true).await;
        env.attest(&setup, &r[1], &submitted, true).await;
        let new = Keypair::new();
        let replaced = env
            .try_replace_reviewer(&setup, &creator, &current.pubkey(), &new.pubkey())
            .await;
        if round < MAX_REVIEWERS {
            replaced.expect("an entry is free");
            parked.push(current.pubkey());
            current = new;
        } else {
            assert_bounty_error(replaced, BountyError::ParkedFeesFull);
        }
    }
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(bounty.parked_fees.len(), MAX_REVIEWERS);
    env.try_claim_fees(&setup, &parked[3], None, &[])
        .await
        .expect("anyone pays a parked reviewer");
    env.try_replace_reviewer(&setup, &creator, &current.pubkey(), &r[2].pubkey())
        .await
        .expect_err("r2 is listed");
    env.try_replace_reviewer(&setup, &creator, &current.pubkey(), &Pubkey::new_unique())
        .await
        .expect("the claim freed an entry");
    env.assert_books_balance(&setup).await;
}

/// A key both listed and parked is paid its slot's fees first, then its parked ones; a
/// key parked twice has one entry, with both amounts and the slot it left last.
#[tokio::test]
async fn a_key_listed_again_and_replaced_again_keeps_every_fee() {
    let fee = 1_000;
    let params = BountyParams::default()
        .review_fee(fee)
        .max_winners(3)
        .funding(4_000_000);
    let (mut env, setup) = TestEnv::with_bounty_params(MintKind::Spl, params).await;
    let r = setup.reviewers();
    let claim = |events: Vec<DatabountyEvent>| match &events[..] {
        [DatabountyEvent::ReviewFeeClaimed(e)] => (e.reviewer_index, e.amount),
        other => panic!("{other:?}"),
    };
    let (_, first) = env.contribute(&setup, b"first").await;
    env.votes(&setup, &first, 2, true).await;
    env.replace_reviewer(&setup, &r[0].pubkey(), &Pubkey::new_unique())
        .await;
    env.replace_reviewer(&setup, &r[2].pubkey(), &r[0].pubkey())
        .await;
    let (_, second) = env.contribute(&setup, b"second").await;
    env.attest(&setup, &r[0], &second, true).await;
    env.attest(&setup, &r[1], &second, true).await;
    let paid = env.try_claim_fees(&setup, &r[0].pubkey(), None, &[]).await;
    assert_eq!(claim(paid.expect("claim")), (2, fee), "its slot first");

    let (_, third) = env.contribute(&setup, b"third").await;
    env.attest(&setup, &r[0], &third, true).await;
    env.attest(&setup, &r[1], &third, true).await;
    let events = env
        .replace_reviewer(&setup, &r[0].pubkey(), &Pubkey::new_unique())
        .await;
    assert!(
        matches!(&events[..], [DatabountyEvent::ReviewerReplaced(e)] if e.fees_parked == fee),
        "{events:?}"
    );
    let bounty = env.bounty_state(&setup.bounty).await;
    let merged = ParkedFees {
        reviewer: r[0].pubkey(),
        slot: 2,
        amount: 2 * fee,
    };
    assert_eq!(bounty.parked_fees, vec![merged]);
    assert_eq!(
        bounty.fees_reserved,
        2 * fee + 3 * fee,
        "r0's two and r1's three"
    );
    let paid = env.try_claim_fees(&setup, &r[0].pubkey(), None, &[]).await;
    assert_eq!(
        claim(paid.expect("claim")),
        (2, 2 * fee),
        "both parked fees"
    );
    assert_bounty_error(
        env.try_claim_fees(&setup, &r[0].pubkey(), None, &[]).await,
        BountyError::NotAReviewer,
    );
    env.assert_books_balance(&setup).await;
}

on_both_token_programs! {
    a_replaced_reviewers_stale_vote_stops_counting => a_replaced_reviewers_vote_stops_counting;
    reviewers_named_later_cannot_decide_earlier_work => new_reviewers_cannot_decide_earlier_work;
    decided_work_and_owed_fees_survive_a_replacement => decided_work_and_owed_fees_are_untouched;
    only_the_creator_replaces_a_reviewer => only_the_creator_replaces;
    a_listed_key_cannot_take_a_second_slot => the_new_key_must_not_be_listed;
    a_contributor_named_reviewer_cannot_review_their_own_work => a_contributor_cannot_review_their_own_work;
    a_frozen_reviewer_is_replaced_and_paid_later => a_frozen_reviewer;
}
