//! Reasons for rejections: a code kept on the submission, a bounded URI in the event.

use databounty::constants::MAX_URI_LEN;
use databounty::errors::BountyError;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;

async fn a_rejection_carries_its_reason(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let r = setup.reviewers();
    let (_, submitted) = env.contribute(&setup, b"labels").await;
    let uri = "x".repeat(MAX_URI_LEN);
    let events = env
        .try_attest_with_reason(&setup, &r[1], &submitted, false, 42, Some(uri.clone()))
        .await
        .expect("reject with a reason");
    let DatabountyEvent::SubmissionAttested(vote) = &events[0] else {
        panic!("vote event: {events:?}");
    };
    assert_eq!(
        (vote.reason_code, vote.reason_uri.as_deref()),
        (42, Some(uri.as_str()))
    );
    let state = env.submission_state(&submitted.address).await;
    assert_eq!(
        state.rejection_reasons,
        vec![0, 42, 0],
        "shown by `databounty show`"
    );
}

async fn reasons_are_bounded_and_only_for_rejections(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let r = setup.reviewers();
    let (_, submitted) = env.contribute(&setup, b"labels").await;
    assert_bounty_error(
        env.try_attest_with_reason(&setup, &r[0], &submitted, true, 7, None)
            .await,
        BountyError::ReasonOnlyForRejections,
    );
    assert_bounty_error(
        env.try_attest_with_reason(&setup, &r[0], &submitted, true, 0, Some("u".into()))
            .await,
        BountyError::ReasonOnlyForRejections,
    );
    assert_bounty_error(
        env.try_attest_with_reason(
            &setup,
            &r[0],
            &submitted,
            false,
            7,
            Some("x".repeat(MAX_URI_LEN + 1)),
        )
        .await,
        BountyError::ReasonUriTooLong,
    );
    assert_eq!(env.submission_state(&submitted.address).await.rejections, 0);
}

on_both_token_programs! {
    a_rejection_carries_its_reason => a_rejection_carries_its_reason;
    reasons_are_bounded_and_only_for_rejections => reasons_are_bounded_and_only_for_rejections;
}
