use databounty::errors::BountyError;
use databounty::events::BountyRefunded;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn refunds_a_cancelled_bounty(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let creator = setup.creator();
    env.cancel(&setup).await;
    let refunded = env.refund_to_creator(&setup).await;
    let funded = setup.args.initial_funding;
    let now = env.now().await;
    assert_eq!(
        refunded,
        BountyRefunded {
            bounty: setup.bounty,
            creator: creator.pubkey(),
            creator_token_account: setup.parties.creator_ata,
            amount: funded,
            received: funded,
            untracked_swept: 0,
            funded,
            refunded: funded,
            reserved: 0,
            vault_balance: 0,
            refunded_at: now,
        }
    );
    assert_eq!(
        env.token_balance(&setup.parties.creator_ata).await,
        CREATOR_TOKENS
    );
    env.assert_books_balance(&setup).await;
}

async fn not_while_open_and_taking_submissions(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    assert_bounty_error(
        env.try_refund(&setup, &setup.parties.creator_ata).await,
        BountyError::RefundNotYetAllowed,
    );
    // Past the submission deadline with nothing pending, it opens without a cancel.
    env.past_submission_deadline(&setup).await;
    env.refund_to_creator(&setup).await;
}

/// Fifty junk submissions must not lock the escrow: pending work keeps back only
/// `min(pending, max_winners − accepted) × reward`, and nothing once votes close.
async fn pending_spam_locks_only_the_winner_slots_left(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await; // max_winners 2, funded 2 rewards
    let reward = setup.args.reward_per_submission;
    let creator = setup.creator();
    let ata = setup.parties.creator_ata;
    env.try_fund(&setup, &creator, &ata, 8 * reward)
        .await
        .expect("fund");
    let spammer = env.contributor(&setup).await;
    let mut junk = Vec::new();
    for i in 0..5u8 {
        junk.push(env.submit(&setup, &spammer.key, &[i]).await);
    }
    env.cancel(&setup).await;
    let refunded = env.refund_to_creator(&setup).await;
    assert_eq!(refunded.amount, 8 * reward, "two slots stay locked");
    env.assert_books_balance(&setup).await;

    // One is accepted: one slot left, so one more reward stays locked beside reserved.
    env.votes(&setup, &junk[0], 2, true).await;
    assert_bounty_error(
        env.try_refund(&setup, &ata).await,
        BountyError::NothingToRefund,
    );
    // Once votes close, pending work can claim nothing.
    env.past_review_deadline(&setup).await;
    assert_eq!(env.refund_to_creator(&setup).await.amount, reward);
    env.try_release(&setup, &junk[0], &spammer.ata)
        .await
        .expect("the accepted reward is still there");
    env.assert_books_balance(&setup).await;
}

/// Rewards reserved for accepted submissions stay in the vault.
async fn keeps_reserved_rewards(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    env.past_submission_deadline(&setup).await;
    let refund = env.refund_to_creator(&setup).await;
    let reward = setup.args.reward_per_submission;
    assert_eq!(refund.amount, setup.args.initial_funding - reward);
    assert_bounty_error(
        env.try_refund(&setup, &setup.parties.creator_ata).await,
        BountyError::NothingToRefund,
    );
    env.try_release(&setup, &submitted, &contributor.ata)
        .await
        .expect("the reward is still there");
    assert_eq!(env.token_balance(&contributor.ata).await, reward);
    env.assert_books_balance(&setup).await;
}

async fn pays_only_the_creator(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    env.past_submission_deadline(&setup).await;
    let thief = env.contributor(&setup).await;
    assert_bounty_error(
        env.try_refund(&setup, &thief.ata).await,
        BountyError::WrongRefundAccount,
    );
}

/// Tokens sent straight to the vault are counted as funding and refunded.
async fn sweeps_untracked_tokens(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let p = &setup.parties;
    let vault = databounty_sdk::pda::vault(&setup.bounty);
    let creator = p.creator.insecure_clone();
    let (mint, program, ata) = (p.mint, p.token_program, p.creator_ata);
    env.transfer_tokens(&mint, &program, &ata, &vault, &creator, 77)
        .await;
    env.past_submission_deadline(&setup).await;
    let refund = env.refund_to_creator(&setup).await;
    assert_eq!(refund.untracked_swept, 77);
    assert_eq!(refund.amount, setup.args.initial_funding + 77);
    assert_eq!(env.token_balance(&ata).await, CREATOR_TOKENS);
    env.assert_books_balance(&setup).await;
}

/// A cranked refund goes to the creator's associated token account, which the program
/// re-creates (the crank pays its rent) when the creator has closed it.
async fn creates_the_missing_associated_account(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    env.past_submission_deadline(&setup).await;
    let ata = setup.parties.creator_ata;
    // The creator's account is gone (a wallet closes empty accounts).
    env.set_raw_account(&ata, solana_sdk::account::Account::default());
    assert!(!env.exists(&ata).await);
    let events = env.try_refund_to(&setup, None, &[]).await.expect("refund");
    let DatabountyEvent::BountyRefunded(refund) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(refund.creator_token_account, ata);
    assert_eq!(env.token_balance(&ata).await, setup.args.initial_funding);
}

/// Another token account of the creator's is refunded only when the creator signs.
async fn another_account_needs_the_creator(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    env.past_submission_deadline(&setup).await;
    let p = &setup.parties;
    let creator = p.creator.insecure_clone();
    let (mint, program) = (p.mint, p.token_program);
    let other = env
        .other_token_account(&creator.pubkey(), &mint, &program)
        .await;
    assert_bounty_error(
        env.try_refund(&setup, &other).await,
        BountyError::PayoutAccountNotAssociated,
    );
    env.try_refund_to(&setup, Some(other), &[&creator])
        .await
        .expect("refund signed by the creator");
    assert_eq!(env.token_balance(&other).await, setup.args.initial_funding);
    env.assert_books_balance(&setup).await;
}

/// A creator account that requires incoming transfer memos (Token-2022) is refunded
/// with a memo, not refused; on SPL Token the same refund simply succeeds.
async fn refunds_an_account_that_requires_memos(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let creator = setup.creator();
    let ata = setup.parties.creator_ata;
    if kind != MintKind::Spl {
        env.require_memos(&creator, &ata).await;
    }
    env.past_submission_deadline(&setup).await;
    env.refund_to_creator(&setup).await; // with a memo
    assert_eq!(env.token_balance(&ata).await, CREATOR_TOKENS);
}

on_both_token_programs! {
    a_cancelled_bounty_is_refunded => refunds_a_cancelled_bounty;
    no_refund_while_taking_submissions => not_while_open_and_taking_submissions;
    pending_spam_locks_only_the_winner_slots_left => pending_spam_locks_only_the_winner_slots_left;
    reserved_rewards_are_not_refunded => keeps_reserved_rewards;
    only_the_creator_is_refunded => pays_only_the_creator;
    untracked_tokens_are_swept => sweeps_untracked_tokens;
    a_missing_associated_account_is_created => creates_the_missing_associated_account;
    another_account_needs_the_creators_signature => another_account_needs_the_creator;
    an_account_requiring_memos_is_refunded => refunds_an_account_that_requires_memos;
}
