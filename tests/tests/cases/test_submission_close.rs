use databounty::errors::BountyError;
use databounty::events::SubmissionClosed;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn closes_a_paid_submission(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    assert_bounty_error(
        env.try_close_submission(&setup, &submitted, &contributor.key.pubkey())
            .await,
        BountyError::SubmissionNotFinal,
    );
    env.release(&setup, &submitted, &contributor.ata).await;
    // While submissions are taken, closing would let the same hash be paid again.
    assert_bounty_error(
        env.try_close_submission(&setup, &submitted, &contributor.key.pubkey())
            .await,
        BountyError::BountyStillTakingSubmissions,
    );
    env.past_submission_deadline(&setup).await;
    let rent = env.lamports(&submitted.address).await;
    let before = env.lamports(&contributor.key.pubkey()).await;
    let events = env
        .try_close_submission(&setup, &submitted, &contributor.key.pubkey())
        .await
        .expect("close");
    let now = env.now().await;
    assert_eq!(
        events,
        vec![DatabountyEvent::SubmissionClosed(SubmissionClosed {
            bounty: setup.bounty,
            submission: submitted.address,
            contributor: contributor.key.pubkey(),
            final_status: SubmissionStatus::Paid,
            rent_returned: rent,
            pending: 0,
            open_submission_accounts: 0,
            closed_at: now,
        })]
    );
    assert!(!env.exists(&submitted.address).await);
    assert_eq!(env.lamports(&contributor.key.pubkey()).await, before + rent);
}

/// Once every winner slot is taken, pending submissions can never win: anyone closes
/// them, as rejected, with the rent back to their contributors, before any deadline.
async fn closes_the_pending_losers_of_a_full_bounty(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let setup = env
        .bounty_with(kind, BountyParams::default().max_winners(1))
        .await;
    let winner = env.contributor(&setup).await;
    let loser = env.contributor(&setup).await;
    let won = env.submit(&setup, &winner.key, b"good").await;
    let lost = env.submit(&setup, &loser.key, b"late").await;
    env.votes(&setup, &won, 2, true).await;
    let rent = env.lamports(&lost.address).await;
    let before = env.lamports(&loser.key.pubkey()).await;
    let events = env
        .try_close_submission(&setup, &lost, &loser.key.pubkey())
        .await
        .expect("close a pending submission that can no longer win");
    let now = env.now().await;
    assert_eq!(
        events,
        vec![DatabountyEvent::SubmissionClosed(SubmissionClosed {
            bounty: setup.bounty,
            submission: lost.address,
            contributor: loser.key.pubkey(),
            final_status: SubmissionStatus::Rejected,
            rent_returned: rent,
            pending: 0,
            open_submission_accounts: 1,
            closed_at: now,
        })]
    );
    assert_eq!(env.lamports(&loser.key.pubkey()).await, before + rent);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!((bounty.pending, bounty.accepted), (0, 1));
}

async fn closes_a_rejected_submission(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, false).await;
    env.cancel(&setup).await;
    // A cancelled bounty takes no submissions either, so its final ones can close.
    env.try_close_submission(&setup, &submitted, &contributor.key.pubkey())
        .await
        .expect("close");
    assert!(!env.exists(&submitted.address).await);
}

/// A pending submission is final only once the review deadline passed (expired).
async fn closes_an_expired_submission(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    assert_bounty_error(
        env.try_close_submission(&setup, &submitted, &contributor.key.pubkey())
            .await,
        BountyError::SubmissionNotFinal,
    );
    env.past_review_deadline(&setup).await;
    let events = env
        .try_close_submission(&setup, &submitted, &contributor.key.pubkey())
        .await
        .expect("close");
    let DatabountyEvent::SubmissionClosed(closed) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(
        (closed.final_status, closed.pending),
        (SubmissionStatus::Pending, 0)
    );
    assert_eq!(env.bounty_state(&setup.bounty).await.pending, 0);
}

async fn rent_goes_only_to_the_contributor(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, false).await;
    let thief = env.funded_keypair(1).await;
    assert_bounty_error(
        env.try_close_submission(&setup, &submitted, &thief.pubkey())
            .await,
        BountyError::WrongContributor,
    );
}

on_both_token_programs! {
    pending_losers_of_a_full_bounty_close_as_rejected => closes_the_pending_losers_of_a_full_bounty;
    a_paid_submission_closes => closes_a_paid_submission;
    a_rejected_submission_closes => closes_a_rejected_submission;
    an_expired_submission_closes => closes_an_expired_submission;
    rent_returns_to_the_contributor_only => rent_goes_only_to_the_contributor;
}
