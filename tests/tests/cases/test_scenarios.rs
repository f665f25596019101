//! Whole lifecycles: 3 contributors, 5 reviewers, quorum 3.

use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

/// Accepted and paid, rejected, expired; then refunded, every account closed, rent back.
async fn full_lifecycle(kind: MintKind) {
    let params = BountyParams {
        reviewers: 5,
        quorum: 3,
        reward: 2_000_000,
        max_winners: 3,
        initial_funding: 10_000_000,
        allow_permanent_delegate: false,
        ..Default::default()
    };
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let creator = setup.creator();
    let funded = env.bounty_state(&setup.bounty).await.funded;
    let reviewers = setup.reviewers();

    let alice = env.contributor(&setup).await;
    let alice_lamports = env.lamports(&alice.key.pubkey()).await;
    let a = env.submit(&setup, &alice.key, b"alice's labels").await;
    let (_, b) = env.contribute(&setup, b"bob's labels").await;
    let (_, c) = env.contribute(&setup, b"carol's labels").await;
    env.assert_books_balance(&setup).await;

    // Alice: approved by reviewers 0, 2 and 4 (one dissent from 1) -> accepted, paid.
    let mut log = Vec::new();
    for (i, approve) in [(0, true), (1, false), (2, true), (4, true)] {
        log.extend(env.attest(&setup, &reviewers[i], &a, approve).await);
    }
    assert!(matches!(
        log.last(),
        Some(DatabountyEvent::SubmissionAccepted(_))
    ));
    log.extend(
        env.try_release(&setup, &a, &alice.ata)
            .await
            .expect("release a"),
    );
    // Bob: three rejections make quorum 3 of 5 unreachable.
    for i in [0, 1, 3] {
        log.extend(env.attest(&setup, &reviewers[i], &b, false).await);
    }
    assert!(matches!(
        log.last(),
        Some(DatabountyEvent::SubmissionRejected(_))
    ));
    // Carol: one approval, then silence until the review deadline -> expired.
    env.attest(&setup, &reviewers[3], &c, true).await;
    env.assert_books_balance(&setup).await;

    let reward = setup.args.reward_per_submission;
    let paid = env.token_balance(&alice.ata).await;
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (
            bounty.accepted,
            bounty.paid,
            bounty.pending,
            bounty.released
        ),
        (1, 1, 1, reward)
    );

    env.past_review_deadline(&setup).await;
    let creator_before = env.token_balance(&setup.parties.creator_ata).await;
    env.refund_to_creator(&setup).await;
    let refunded = env.token_balance(&setup.parties.creator_ata).await - creator_before;

    let expected = [
        SubmissionStatus::Paid,
        SubmissionStatus::Rejected,
        SubmissionStatus::Pending, // expired undecided
    ];
    for (sub, status) in [&a, &b, &c].into_iter().zip(expected) {
        assert_eq!(env.status(sub).await, status);
        let events = env.close_submission(&setup, sub).await;
        let DatabountyEvent::SubmissionClosed(closed) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(closed.final_status, status);
    }
    // Every token that entered the vault left it as a reward or a refund.
    let before_close = env.bounty_state(&setup.bounty).await;
    assert_eq!(env.token_balance(&bounty.vault).await, 0);
    assert_eq!(
        before_close.funded,
        before_close.released + before_close.refunded,
        "conservation"
    );
    assert_eq!((before_close.released, before_close.reserved), (reward, 0));
    let creator_lamports = env.lamports(&creator.pubkey()).await;
    let rent = env.lamports(&setup.bounty).await + env.lamports(&bounty.vault).await;
    env.try_close_bounty(&setup, &creator)
        .await
        .expect("close bounty");

    // Every token is accounted for; all rent is back.
    assert_eq!(
        env.lamports(&alice.key.pubkey()).await,
        alice_lamports,
        "alice got her rent back"
    );
    assert_eq!(
        env.lamports(&creator.pubkey()).await,
        creator_lamports + rent
    );
    assert!(!env.exists(&setup.bounty).await && !env.exists(&bounty.vault).await);
    match kind {
        MintKind::TransferFee { .. } => {
            // The payee and the creator bear the fee on the way out.
            assert!(paid < reward && refunded < funded - reward);
        }
        _ => {
            assert_eq!(paid, reward);
            assert_eq!(refunded, funded - reward);
            assert_eq!(
                env.token_balance(&setup.parties.creator_ata).await + paid,
                CREATOR_TOKENS
            );
        }
    }
}

on_both_token_programs! {
    accepted_rejected_expired_refunded_closed => full_lifecycle;
}

#[tokio::test]
async fn full_lifecycle_with_a_transfer_fee() {
    full_lifecycle(MintKind::TransferFee {
        bps: 50,
        max: 10_000,
    })
    .await;
}
