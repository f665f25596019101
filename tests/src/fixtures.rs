//! A bounty with a creator, reviewers and contributors (the calls are in `calls`).

use databounty::instructions::BountyCreateArgs;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::hash::submission_hash;
use databounty_sdk::{instructions as ix, pda};
use solana_program_test::BanksClientError;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::{MintKind, Sent, TestEnv};

/// Tokens minted to every creator.
pub const CREATOR_TOKENS: u64 = 1_000_000_000_000;
/// Bonds each contributor of a bonded bounty can post (tokens minted to them).
pub const CONTRIBUTOR_BONDS: u64 = 20;
/// Seconds from creation to the submission deadline.
pub const SUBMISSION_WINDOW: i64 = 3_600;
/// Seconds from the submission deadline to the review deadline.
pub const REVIEW_WINDOW: i64 = 3_600;

/// The knobs of a test bounty.
#[derive(Debug, Clone)]
pub struct BountyParams {
    pub reviewers: usize,
    pub quorum: u8,
    pub reward: u64,
    pub max_winners: u32,
    pub initial_funding: u64,
    pub allow_permanent_delegate: bool,
    pub review_fee: u64,
    pub submission_bond: u64,
}

/// Variations on the default bounty, for tests that name only what they change.
impl BountyParams {
    /// Created without funds: the creator funds later, or never.
    pub fn unfunded() -> Self {
        Self::default().funding(0)
    }

    pub fn funding(self, initial_funding: u64) -> Self {
        Self {
            initial_funding,
            ..self
        }
    }

    pub fn reward(self, reward: u64) -> Self {
        Self { reward, ..self }
    }

    pub fn max_winners(self, max_winners: u32) -> Self {
        Self {
            max_winners,
            ..self
        }
    }

    pub fn quorum(self, quorum: u8) -> Self {
        Self { quorum, ..self }
    }

    /// Paid reviews: `review_fee` per vote that agrees with a decision.
    pub fn review_fee(self, review_fee: u64) -> Self {
        Self { review_fee, ..self }
    }

    /// Each submission posts `submission_bond`.
    pub fn bond(self, submission_bond: u64) -> Self {
        Self {
            submission_bond,
            ..self
        }
    }

    /// The creator accepts the mint's permanent delegate.
    pub fn allowing_permanent_delegate(self) -> Self {
        Self {
            allow_permanent_delegate: true,
            ..self
        }
    }
}

impl Default for BountyParams {
    fn default() -> Self {
        Self {
            reviewers: 3,
            quorum: 2,
            reward: 1_000_000,
            max_winners: 2,
            initial_funding: 2_000_000,
            allow_permanent_delegate: false,
            review_fee: 0,
            submission_bond: 0,
        }
    }
}

/// Everything a bounty needs before `bounty_create`: a mint, a funded creator, reviewers.
pub struct Parties {
    pub kind: MintKind,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub creator: Keypair,
    pub creator_ata: Pubkey,
    pub reviewers: Vec<Keypair>,
}

/// A created bounty.
pub struct BountySetup {
    pub parties: Parties,
    pub args: BountyCreateArgs,
    pub bounty: Pubkey,
    pub created: Vec<DatabountyEvent>,
}

/// A contributor with a token account for the bounty's mint.
pub struct Contributor {
    pub key: Keypair,
    pub ata: Pubkey,
}

/// A registered submission.
#[derive(Debug)]
pub struct Submitted {
    pub address: Pubkey,
    pub contributor: Pubkey,
    pub hash: [u8; 32],
    pub events: Vec<DatabountyEvent>,
}

impl BountySetup {
    /// The creator's key, to sign with.
    pub fn creator(&self) -> Keypair {
        self.parties.creator.insecure_clone()
    }

    /// Reviewer `index`'s key, to sign votes with.
    pub fn reviewer(&self, index: usize) -> Keypair {
        self.parties.reviewers[index].insecure_clone()
    }

    /// Every reviewer's key, in slot order.
    pub fn reviewers(&self) -> Vec<Keypair> {
        self.parties
            .reviewers
            .iter()
            .map(|r| r.insecure_clone())
            .collect()
    }
}

impl Parties {
    /// Arguments for `bounty_create` starting at `now`.
    pub fn args(&self, now: i64, params: &BountyParams, nonce: u64) -> BountyCreateArgs {
        BountyCreateArgs {
            dataset_id: [42u8; 32],
            nonce,
            metadata_uri: "ipfs://guidelines".into(),
            reward_per_submission: params.reward,
            max_winners: params.max_winners,
            reviewers: self.reviewers.iter().map(|r| r.pubkey()).collect(),
            quorum: params.quorum,
            submission_deadline: now + SUBMISSION_WINDOW,
            review_deadline: now + SUBMISSION_WINDOW + REVIEW_WINDOW,
            allow_permanent_delegate: params.allow_permanent_delegate,
            initial_funding: params.initial_funding,
            review_fee: params.review_fee,
            submission_bond: params.submission_bond,
        }
    }

    /// `bounty_create` of `args` by the creator from their token account, paid by `payer`.
    pub fn create_ix(&self, payer: &Pubkey, args: BountyCreateArgs) -> Instruction {
        ix::bounty_create(
            payer,
            &self.creator.pubkey(),
            &self.mint,
            &self.token_program,
            Some(self.creator_ata),
            args,
        )
    }

    pub fn bounty_address(&self, args: &BountyCreateArgs) -> Pubkey {
        pda::bounty(&self.creator.pubkey(), &args.dataset_id, args.nonce)
    }
}

impl TestEnv {
    /// A mint of `kind`, a creator holding [`CREATOR_TOKENS`], and `reviewers` reviewers.
    pub async fn parties(&mut self, kind: MintKind, reviewers: usize) -> Parties {
        let mint = self.create_mint(kind).await;
        let token_program = kind.token_program();
        let creator = self.funded_keypair(10).await;
        let creator_ata = self
            .token_account(&creator.pubkey(), &mint, &token_program)
            .await;
        if kind == MintKind::DefaultFrozen {
            self.set_frozen(&mint, &token_program, &creator_ata, false)
                .await;
        }
        self.mint_to(&mint, &token_program, &creator_ata, CREATOR_TOKENS)
            .await;
        let mut keys = Vec::new();
        for _ in 0..reviewers {
            keys.push(self.funded_keypair(1).await);
        }
        Parties {
            kind,
            mint,
            token_program,
            creator,
            creator_ata,
            reviewers: keys,
        }
    }

    /// Sends `bounty_create` for `args`.
    pub async fn try_create(&mut self, parties: &Parties, args: BountyCreateArgs) -> Sent {
        let create = parties.create_ix(&self.payer().pubkey(), args);
        self.send_with_events(&[create], &[&parties.creator]).await
    }

    /// A created (and, per `params`, funded) bounty on a new mint of `kind`.
    pub async fn bounty_with(&mut self, kind: MintKind, params: BountyParams) -> BountySetup {
        let parties = self.parties(kind, params.reviewers).await;
        let now = self.now().await;
        let args = parties.args(now, &params, 0);
        let bounty = parties.bounty_address(&args);
        let created = self
            .try_create(&parties, args.clone())
            .await
            .expect("bounty_create");
        BountySetup {
            parties,
            args,
            bounty,
            created,
        }
    }

    pub async fn bounty(&mut self, kind: MintKind) -> BountySetup {
        self.bounty_with(kind, BountyParams::default()).await
    }

    /// A new contributor with SOL for rent and a token account for the bounty's mint,
    /// holding [`CONTRIBUTOR_BONDS`] bonds if the bounty asks one.
    pub async fn contributor(&mut self, setup: &BountySetup) -> Contributor {
        let key = self.funded_keypair(1).await;
        let p = &setup.parties;
        let ata = self
            .token_account(&key.pubkey(), &p.mint, &p.token_program)
            .await;
        let bonds = setup.args.submission_bond * CONTRIBUTOR_BONDS;
        if bonds > 0 {
            self.mint_to(&p.mint, &p.token_program, &ata, bonds).await;
        }
        Contributor { key, ata }
    }

    /// The bounty's terms hash, as a contributor reads it before submitting (zeros once
    /// the bounty is closed: the submission then fails on the missing bounty anyway).
    pub async fn terms(&mut self, setup: &BountySetup) -> [u8; 32] {
        self.anchor_account::<databounty::state::Bounty>(&setup.bounty)
            .await
            .map_or([0; 32], |bounty| bounty.terms_hash())
    }

    pub async fn try_submit(
        &mut self,
        setup: &BountySetup,
        contributor: &Keypair,
        content: &[u8],
    ) -> Result<Submitted, BanksClientError> {
        let digest = databounty_sdk::hash::reader_digest(content, |_| {}).expect("digest");
        let hash = submission_hash(&setup.bounty, &contributor.pubkey(), &digest);
        let terms = self.terms(setup).await;
        let bonded = self
            .anchor_account::<databounty::state::Bounty>(&setup.bounty)
            .await
            .is_some_and(|bounty| bounty.submission_bond > 0);
        let p = &setup.parties;
        let create = if bonded {
            ix::submission_create_with_bond(
                &contributor.pubkey(),
                &setup.bounty,
                hash,
                Some("ipfs://data".into()),
                terms,
                ix::BondAccounts {
                    mint: p.mint,
                    token_program: p.token_program,
                    token_account: None,
                },
            )
        } else {
            ix::submission_create(
                &contributor.pubkey(),
                &setup.bounty,
                hash,
                Some("ipfs://data".into()),
                terms,
            )
        };
        let events = self.send_with_events(&[create], &[contributor]).await?;
        Ok(Submitted {
            address: pda::submission(&setup.bounty, &contributor.pubkey(), &hash),
            contributor: contributor.pubkey(),
            hash,
            events,
        })
    }

    pub async fn submit(
        &mut self,
        setup: &BountySetup,
        contributor: &Keypair,
        content: &[u8],
    ) -> Submitted {
        self.try_submit(setup, contributor, content)
            .await
            .expect("submission_create")
    }

    /// Moves the clock past the submission deadline (into the review window).
    pub async fn past_submission_deadline(&mut self, setup: &BountySetup) {
        self.set_time(setup.args.submission_deadline).await;
    }

    /// Moves the clock past the review deadline.
    pub async fn past_review_deadline(&mut self, setup: &BountySetup) {
        self.set_time(setup.args.review_deadline).await;
    }

    /// Asserts the books' invariants (SECURITY.md, "Invariants") against the vault's real
    /// balance.
    pub async fn assert_books_balance(&mut self, setup: &BountySetup) {
        let bounty = self.bounty_state(&setup.bounty).await;
        let vault = self.token_balance(&bounty.vault).await;
        let tracked = bounty.funded + bounty.bonds_received
            - bounty.released
            - bounty.refunded
            - bounty.fees_paid
            - bounty.bonds_returned;
        assert_eq!(
            tracked, vault,
            "funded + bonds in − released − refunded − fees paid − bonds returned equals the vault"
        );
        assert!(
            tracked >= bounty.reserved + bounty.fees_reserved + bounty.bonds_held,
            "vault covers the reserved rewards, owed fees and held bonds"
        );
        assert_eq!(
            bounty.fees_reserved,
            bounty.fees_owed.iter().sum::<u64>()
                + bounty.parked_fees.iter().map(|p| p.amount).sum::<u64>(),
            "fees_reserved is what the slots and the replaced reviewers are owed"
        );
        assert_eq!(
            bounty.bonds_received,
            bounty.bonds_held + bounty.bonds_returned + bounty.bonds_forfeited,
            "every bond is held, returned or forfeited"
        );
        assert!(bounty.accepted <= bounty.max_winners);
        assert_eq!(
            bounty.reserved,
            u64::from(bounty.accepted - bounty.paid) * bounty.reward_per_submission
        );
    }
}

/// Runs an async test body once per token program.
#[macro_export]
macro_rules! on_both_token_programs {
    ($($name:ident => $body:ident;)*) => {
        $(mod $name {
            #[tokio::test]
            async fn spl_token() {
                super::$body($crate::MintKind::Spl).await
            }
            #[tokio::test]
            async fn token_2022() {
                super::$body($crate::MintKind::Token2022).await
            }
        })*
    };
}
