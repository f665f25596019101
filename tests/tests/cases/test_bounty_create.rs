use databounty::constants::MAX_REVIEWERS;
use databounty::errors::BountyError;
use databounty::events::{BountyCreated, BountyFunded};
use databounty::state::BountyStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

async fn creates_and_funds(kind: MintKind) {
    let params = BountyParams::default();
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params.clone()).await;
    let p = &setup.parties;
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(bounty.creator, p.creator.pubkey());
    assert_eq!(bounty.mint, p.mint);
    assert_eq!(bounty.token_program, p.token_program);
    assert_eq!(bounty.vault, databounty_sdk::pda::vault(&setup.bounty));
    assert_eq!(bounty.status, BountyStatus::Open);
    assert_eq!(bounty.funded, params.initial_funding);
    assert_eq!(
        env.token_balance(&bounty.vault).await,
        params.initial_funding
    );
    assert_eq!(
        env.token_balance(&p.creator_ata).await,
        CREATOR_TOKENS - params.initial_funding
    );

    let now = setup.args.submission_deadline - SUBMISSION_WINDOW;
    assert_eq!(
        setup.created,
        vec![
            DatabountyEvent::BountyCreated(BountyCreated {
                bounty: setup.bounty,
                creator: p.creator.pubkey(),
                dataset_id: setup.args.dataset_id,
                nonce: 0,
                metadata_uri: "ipfs://guidelines".into(),
                mint: p.mint,
                token_program: p.token_program,
                vault: bounty.vault,
                reward_per_submission: params.reward,
                max_winners: params.max_winners,
                reviewers: setup.args.reviewers.clone(),
                quorum: params.quorum,
                submission_deadline: setup.args.submission_deadline,
                review_deadline: setup.args.review_deadline,
                permanent_delegate_allowed: false,
                created_at: now,
                review_fee: 0,
                submission_bond: 0,
            }),
            DatabountyEvent::BountyFunded(BountyFunded {
                bounty: setup.bounty,
                funder: p.creator.pubkey(),
                mint: p.mint,
                requested: params.initial_funding,
                received: params.initial_funding,
                funded: params.initial_funding,
                vault_balance: params.initial_funding,
                funded_at: now,
            }),
        ]
    );
    env.assert_books_balance(&setup).await;
}

async fn creates_without_funding(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, BountyParams::unfunded()).await;
    assert_eq!(
        setup.created.len(),
        1,
        "no BountyFunded event without funding"
    );
    assert_eq!(env.bounty_state(&setup.bounty).await.funded, 0);
}

/// Changes one argument of a valid `bounty_create`.
type Mutation = Box<dyn Fn(&mut databounty::instructions::BountyCreateArgs)>;

/// Each invalid argument, with the error that names it.
async fn rejects_invalid_arguments(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let parties = env.parties(kind, 3).await;
    let now = env.now().await;
    let base = parties.args(now, &BountyParams::default(), 0);
    let twin = base.reviewers[0];
    let cases: Vec<(&str, Mutation, BountyError)> = vec![
        (
            "uri",
            Box::new(|a| a.metadata_uri = "x".repeat(201)),
            BountyError::MetadataUriTooLong,
        ),
        (
            "reward",
            Box::new(|a| a.reward_per_submission = 0),
            BountyError::ZeroReward,
        ),
        (
            "winners",
            Box::new(|a| a.max_winners = 0),
            BountyError::ZeroMaxWinners,
        ),
        (
            "budget",
            Box::new(|a| {
                a.reward_per_submission = u64::MAX;
                a.max_winners = 2;
            }),
            BountyError::BudgetOverflow,
        ),
        (
            "no reviewers",
            Box::new(|a| a.reviewers.clear()),
            BountyError::InvalidReviewerCount,
        ),
        (
            "MAX_REVIEWERS + 1 reviewers",
            Box::new(|a| a.reviewers = (0..=MAX_REVIEWERS).map(|_| Pubkey::new_unique()).collect()),
            BountyError::InvalidReviewerCount,
        ),
        (
            "duplicate",
            Box::new(move |a| a.reviewers.push(twin)),
            BountyError::DuplicateReviewer,
        ),
        (
            "quorum 0",
            Box::new(|a| a.quorum = 0),
            BountyError::InvalidQuorum,
        ),
        (
            "quorum > n",
            Box::new(|a| a.quorum = 4),
            BountyError::InvalidQuorum,
        ),
        (
            "deadline now",
            Box::new(move |a| a.submission_deadline = now),
            BountyError::InvalidDeadlines,
        ),
        (
            "review before submission",
            Box::new(|a| a.review_deadline = a.submission_deadline - 1),
            BountyError::InvalidDeadlines,
        ),
        (
            "review window over 180 days",
            Box::new(|a| {
                a.review_deadline =
                    a.submission_deadline + databounty::constants::MAX_REVIEW_WINDOW + 1
            }),
            BountyError::ReviewWindowTooLong,
        ),
    ];
    for (nonce, (name, mutate, expected)) in cases.into_iter().enumerate() {
        let mut args = base.clone();
        args.nonce = nonce as u64;
        mutate(&mut args);
        println!("case {name}");
        assert_bounty_error(env.try_create(&parties, args).await, expected);
    }

    // The limits themselves are accepted: MAX_REVIEWERS reviewers, quorum = n, a 200-byte
    // URI, submission deadline equal to review deadline.
    let mut args = base.clone();
    args.nonce = 100;
    args.reviewers = (0..MAX_REVIEWERS).map(|_| Pubkey::new_unique()).collect();
    args.quorum = MAX_REVIEWERS as u8;
    args.metadata_uri = "x".repeat(200);
    args.review_deadline = args.submission_deadline;
    env.try_create(&parties, args)
        .await
        .expect("limits are valid");
}

async fn refuses_the_same_bounty_twice(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let again = env.try_create(&setup.parties, setup.args.clone()).await;
    assert_bounty_error(again, BountyError::BountyAlreadyExists);
}

/// Lamports sent to the bounty and vault addresses in advance do not block creation.
async fn prefunded_addresses_do_not_block_creation(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let parties = env.parties(kind, 3).await;
    let now = env.now().await;
    let args = parties.args(now, &BountyParams::default(), 0);
    let bounty = parties.bounty_address(&args);
    let vault = databounty_sdk::pda::vault(&bounty);
    let payer = env.payer();
    for address in [bounty, vault] {
        let gift =
            solana_system_interface::instruction::transfer(&payer.pubkey(), &address, 5_000_000);
        env.send(&[gift], &[]).await.expect("pre-fund");
    }
    env.try_create(&parties, args.clone())
        .await
        .expect("created despite the gift");
    assert_eq!(env.bounty_state(&bounty).await.funded, args.initial_funding);
    assert_eq!(env.token_balance(&vault).await, args.initial_funding);
}

async fn funding_needs_the_creators_token_account(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let parties = env.parties(kind, 3).await;
    let now = env.now().await;
    let args = parties.args(now, &BountyParams::default(), 0);
    let payer = env.payer();
    let missing = databounty_sdk::instructions::bounty_create(
        &payer.pubkey(),
        &parties.creator.pubkey(),
        &parties.mint,
        &parties.token_program,
        None,
        args.clone(),
    );
    assert_bounty_error(
        env.send(&[missing], &[&parties.creator]).await,
        BountyError::FundingAccountMissing,
    );

    let stranger = env.funded_keypair(1).await;
    let foreign = env
        .token_account(&stranger.pubkey(), &parties.mint, &parties.token_program)
        .await;
    let wrong = databounty_sdk::instructions::bounty_create(
        &payer.pubkey(),
        &parties.creator.pubkey(),
        &parties.mint,
        &parties.token_program,
        Some(foreign),
        args,
    );
    assert_bounty_error(
        env.send(&[wrong], &[&parties.creator]).await,
        BountyError::WrongFundingAccount,
    );
}

on_both_token_programs! {
    creates_and_funds_the_vault => creates_and_funds;
    creates_an_unfunded_bounty => creates_without_funding;
    rejects_each_invalid_argument => rejects_invalid_arguments;
    rejects_a_duplicate_bounty => refuses_the_same_bounty_twice;
    creates_at_prefunded_addresses => prefunded_addresses_do_not_block_creation;
    initial_funding_comes_from_the_creator => funding_needs_the_creators_token_account;
}

/// The mint policy, Token-2022 only.
mod mint_policy {
    use super::*;

    async fn create_on(
        kind: MintKind,
        allow_permanent_delegate: bool,
    ) -> Result<(), solana_program_test::BanksClientError> {
        let mut env = TestEnv::new().await;
        let parties = env.parties(kind, 3).await;
        let now = env.now().await;
        let params = BountyParams {
            allow_permanent_delegate,
            initial_funding: 0,
            ..Default::default()
        };
        let args = parties.args(now, &params, 0);
        env.try_create(&parties, args).await.map(|_| ())
    }

    #[tokio::test]
    async fn rejects_non_transferable() {
        assert_bounty_error(
            create_on(MintKind::NonTransferable, false).await,
            BountyError::MintNonTransferable,
        );
    }

    #[tokio::test]
    async fn rejects_a_transfer_hook_program() {
        assert_bounty_error(
            create_on(MintKind::TransferHook, false).await,
            BountyError::MintTransferHook,
        );
    }

    /// A hook authority could set a hook program after creation and block every payout.
    #[tokio::test]
    async fn rejects_a_transfer_hook_authority() {
        assert_bounty_error(
            create_on(MintKind::TransferHookAuthority, false).await,
            BountyError::MintTransferHookAuthority,
        );
    }

    #[tokio::test]
    async fn accepts_a_transfer_hook_without_program() {
        create_on(MintKind::EmptyTransferHook, false)
            .await
            .expect("no hook program is harmless");
    }

    #[tokio::test]
    async fn rejects_default_frozen_accounts() {
        assert_bounty_error(
            create_on(MintKind::DefaultFrozen, false).await,
            BountyError::MintDefaultFrozen,
        );
    }

    #[tokio::test]
    async fn permanent_delegate_needs_opt_in() {
        assert_bounty_error(
            create_on(MintKind::PermanentDelegate, false).await,
            BountyError::MintPermanentDelegateNotAllowed,
        );
        create_on(MintKind::PermanentDelegate, true)
            .await
            .expect("opted in");
    }

    #[tokio::test]
    async fn rejects_unknown_extensions() {
        let mut env = TestEnv::new().await;
        let mut parties = env.parties(MintKind::Token2022, 3).await;
        parties.mint = env.create_mint(MintKind::Unsupported).await;
        let now = env.now().await;
        let args = parties.args(now, &BountyParams::unfunded(), 0);
        assert_bounty_error(
            env.try_create(&parties, args).await,
            BountyError::MintUnsupportedExtension,
        );
    }

    #[tokio::test]
    async fn accepts_a_transfer_fee_mint() {
        create_on(
            MintKind::TransferFee {
                bps: 100,
                max: 1_000_000,
            },
            false,
        )
        .await
        .expect("fees are accounted");
    }
}
