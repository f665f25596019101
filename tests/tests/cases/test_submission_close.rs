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
    closes_with_its_rent_back(&mut env, &setup, &submitted, SubmissionStatus::Paid, 0).await;
    assert!(!env.exists(&submitted.address).await);
}

/// Closes `submitted` and asserts the one event (its `final_status`, nothing pending, and
/// `open_submission_accounts` left) and that the rent went back to its contributor.
async fn closes_with_its_rent_back(
    env: &mut TestEnv,
    setup: &BountySetup,
    submitted: &Submitted,
    final_status: SubmissionStatus,
    open_submission_accounts: u32,
) {
    let rent = env.lamports(&submitted.address).await;
    let before = env.lamports(&submitted.contributor).await;
    let events = env.close_submission(setup, submitted).await;
    let now = env.now().await;
    assert_eq!(
        events,
        vec![DatabountyEvent::SubmissionClosed(SubmissionClosed {
            bounty: setup.bounty,
            submission: submitted.address,
            contributor: submitted.contributor,
            final_status,
            rent_returned: rent,
            pending: 0,
            open_submission_accounts,
            closed_at: now,
        })]
    );
    assert_eq!(env.lamports(&submitted.contributor).await, before + rent);
}

/// Once every winner slot is taken, pending submissions can never win: anyone closes
/// them, as rejected, with the rent back to their contributors, before any deadline.
async fn closes_the_pending_losers_of_a_full_bounty(kind: MintKind) {
    let params = BountyParams::default().max_winners(1);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let (_, won) = env.contribute(&setup, b"good").await;
    let (_, lost) = env.contribute(&setup, b"late").await;
    env.votes(&setup, &won, 2, true).await;
    // Pending, but it can no longer win: it closes as rejected.
    closes_with_its_rent_back(&mut env, &setup, &lost, SubmissionStatus::Rejected, 1).await;
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!((bounty.pending, bounty.accepted), (0, 1));
}

async fn closes_a_rejected_submission(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, false).await;
    // Not while submissions are taken: the rejected hash could be registered again.
    let contributor = submitted.contributor;
    assert_bounty_error(
        env.try_close_submission(&setup, &submitted, &contributor)
            .await,
        BountyError::BountyStillTakingSubmissions,
    );
    env.cancel(&setup).await;
    // A cancelled bounty takes no submissions either, so its final ones can close.
    env.close_submission(&setup, &submitted).await;
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
    let events = env.close_submission(&setup, &submitted).await;
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
