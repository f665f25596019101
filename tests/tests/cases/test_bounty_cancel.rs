use databounty::errors::BountyError;
use databounty::events::BountyCancelled;
use databounty::state::BountyStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn creator_cancels(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    env.submit(&setup, &contributor.key, b"labels").await;
    let creator = setup.creator();
    let events = env.cancel(&setup).await;
    let now = env.now().await;
    assert_eq!(
        events,
        vec![DatabountyEvent::BountyCancelled(BountyCancelled {
            bounty: setup.bounty,
            creator: creator.pubkey(),
            pending: 1,
            cancelled_at: now,
        })]
    );
    assert_eq!(
        env.bounty_state(&setup.bounty).await.status,
        BountyStatus::Cancelled
    );
}

/// Contributors' work is protected: pending submissions stay reviewable after a cancel.
async fn pending_work_stays_reviewable(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.cancel(&setup).await;
    env.votes(&setup, &submitted, 2, true).await;
    env.release(&setup, &submitted, &contributor.ata).await;
    assert_eq!(
        env.token_balance(&contributor.ata).await,
        setup.args.reward_per_submission
    );
    // ...but no new work is taken.
    let late = env.contributor(&setup).await;
    assert_bounty_error(
        env.try_submit(&setup, &late.key, b"more").await,
        BountyError::BountyNotOpen,
    );
}

async fn only_the_creator_cancels(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let stranger = env.funded_keypair(1).await;
    assert_bounty_error(
        env.try_cancel(&setup, &stranger).await,
        BountyError::NotCreator,
    );
}

async fn cancels_once(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let creator = setup.creator();
    env.cancel(&setup).await;
    assert_bounty_error(
        env.try_cancel(&setup, &creator).await,
        BountyError::BountyNotOpen,
    );
}

on_both_token_programs! {
    the_creator_cancels => creator_cancels;
    pending_submissions_stay_reviewable => pending_work_stays_reviewable;
    a_stranger_cannot_cancel => only_the_creator_cancels;
    a_bounty_cancels_once => cancels_once;
}
