//! `bounty_reviewer_replace`: a new key takes a slot; the old reviewer's votes on pending
//! work stop counting, decided work is untouched, fees owed are claimed first.

use databounty::errors::BountyError;
use databounty::events::ReviewerReplaced;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::instructions as ix;
use databounty_tests::*;
use solana_sdk::signature::Signer;

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

/// Decided submissions keep their outcome; the old reviewer's fees must be claimed
/// first, which the creator can do in the same transaction (claims are permissionless).
async fn decided_work_and_owed_fees_are_untouched(kind: MintKind) {
    let fee = 5_000;
    let params = BountyParams::default().review_fee(fee);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let r = setup.reviewers();
    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let new = env.funded_keypair(1).await;
    let creator = setup.creator();
    assert_bounty_error(
        env.try_replace_reviewer(&setup, &creator, &r[0].pubkey(), &new.pubkey())
            .await,
        BountyError::ReviewFeesOwed,
    );
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

on_both_token_programs! {
    a_replaced_reviewers_stale_vote_stops_counting => a_replaced_reviewers_vote_stops_counting;
    reviewers_named_later_cannot_decide_earlier_work => new_reviewers_cannot_decide_earlier_work;
    decided_work_and_owed_fees_survive_a_replacement => decided_work_and_owed_fees_are_untouched;
    only_the_creator_replaces_a_reviewer => only_the_creator_replaces;
    a_listed_key_cannot_take_a_second_slot => the_new_key_must_not_be_listed;
    a_contributor_named_reviewer_cannot_review_their_own_work => a_contributor_cannot_review_their_own_work;
}
