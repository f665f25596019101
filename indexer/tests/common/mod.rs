//! A lifecycle on the local chain for the indexer's tests: two bounties, three
//! contributors (paid, rejected, still pending) who each post a bond, three reviewers
//! who earn review fees (one claims them), a cancel and a refund.
//! Also what the tests share around it: sources over the chain (and one that shows a
//! fork switch), a pass, the database's tables emptied and counted.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use databounty::instructions::BountyCreateArgs;
use databounty_indexer::db::{Checkpoint, Db, Writer};
use databounty_indexer::decoder::TransactionUpdate;
use databounty_indexer::metrics::Metrics;
use databounty_indexer::pipeline::{run_once, PipelineConfig, PipelineError, Stop};
use databounty_indexer::source::{
    Backoff, BlockCheck, RpcSource, SignatureInfo, Source, SourceError, TxStatus,
};
use databounty_localnet::{Localnet, LocalnetConfig};
use databounty_sdk::hash::submission_hash;
use databounty_sdk::{accounts, instructions as ix, pda};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use sqlx::PgPool;

pub mod cluster;
pub mod proxy;

/// Serves the HTTP API over `db` on a free local port; returns its base URL.
pub async fn serve(db: &Db, metrics: &Metrics, stall_after: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = databounty_indexer::api::router(databounty_indexer::api::ApiState {
        db: db.clone(),
        metrics: metrics.clone(),
        stall_after,
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

pub const FINALITY_SLOTS: u64 = 3;

/// One pass as the indexer makes it, holding the writer lock for the pass.
pub async fn index<S: Source>(
    source: &S,
    db: &Db,
    config: &PipelineConfig,
    metrics: &Metrics,
) -> Result<usize, PipelineError> {
    let mut writer = Writer::try_acquire(db, &config.source_name)
        .await
        .expect("database")
        .expect("no other writer");
    run_once(source, &mut writer, config, metrics, &Stop::never()).await
}

/// One pass over everything the chain has finalized.
pub async fn index_finalized(
    chain: &Chain,
    db: &Db,
    config: &PipelineConfig,
) -> Result<usize, PipelineError> {
    let source = chain.source(CommitmentConfig::finalized());
    index(&source, db, config, &Metrics::default()).await
}

/// A chain that has run the lifecycle and finalized it, and a database to index it into.
pub async fn finalized_lifecycle(pool: &PgPool) -> (Chain, Lifecycle, Db) {
    let chain = Chain::start().await;
    let life = chain.run_lifecycle().await;
    chain.wait_finalized().await;
    (chain, life, Db::from_pool(pool.clone()))
}

/// A source reading the program's transactions from the node at `url`.
pub fn rpc_source(url: &str, commitment: CommitmentConfig, metrics: Metrics) -> RpcSource {
    RpcSource::new(url, databounty::ID, commitment, metrics)
}

/// Three attempts a few milliseconds apart: a source that cannot succeed fails at once.
/// The value of the counter or gauge `name` as `/metrics` shows it.
pub fn metric(metrics: &Metrics, name: &str) -> Option<u64> {
    metrics.render().lines().find_map(|line| {
        let (key, value) = line.split_once(' ')?;
        (key == name).then(|| value.trim().parse().ok()).flatten()
    })
}

pub fn quick_retries() -> Backoff {
    Backoff {
        attempts: 3,
        base: Duration::from_millis(1),
        max: Duration::from_millis(5),
    }
}

/// A node that answers every request with the HTML error page `page`: its URL.
pub async fn garbage_rpc(page: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(move || async move { page });
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// The connection string of the test database behind `pool`, for an indexer process.
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name = pool
        .connect_options()
        .get_database()
        .expect("a test database")
        .to_string();
    let (server, query) = match base.split_once('?') {
        Some((s, q)) => (s.to_string(), format!("?{q}")),
        None => (base.clone(), String::new()),
    };
    let server = server
        .rsplit_once('/')
        .map_or(server.clone(), |(s, _)| s.to_string());
    format!("{server}/{name}{query}")
}

/// A number the query `sql` (a `count(*)`) returns.
pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("count")
}

/// The tables of the program's accounts, a row per bounty and per submission.
pub const ACCOUNT_TABLES: [&str; 2] = ["bounties", "submissions"];

/// The state's ledgers: votes and token movements, fees and bonds included.
pub const LEDGER_TABLES: [&str; 7] = [
    "attestations",
    "fundings",
    "payouts",
    "refunds",
    "fee_awards",
    "fee_claims",
    "bond_movements",
];

/// The state's running totals.
pub const TOTAL_TABLES: [&str; 4] = [
    "contributor_totals",
    "reviewer_totals",
    "bounty_quorum",
    "dataset_totals",
];

/// Empties the log, the quarantine and every state table: the next pass reads the whole
/// history again.
pub async fn empty_tables(pool: &PgPool) {
    sqlx::query("TRUNCATE transactions, quarantine, events, checkpoints, bounties, submissions, attestations, fundings, payouts, refunds, fee_awards, fee_claims, bond_movements, contributor_totals, reviewer_totals, bounty_quorum, dataset_totals")
        .execute(pool)
        .await
        .unwrap();
}

/// What a [`Forked`] source says of its one transaction once it has listed it.
#[derive(Clone, Copy)]
pub enum Fork {
    /// It landed again in the next slot: its first slot's fork was dropped.
    Relanded,
    /// It never finalized, its fork abandoned: the node lists it no more and has no status
    /// for it, and the finalized block at its slot says `block` of it (every other
    /// transaction is in its block).
    Dropped { block: BlockCheck },
}

/// The node as a fork switch shows it: the first listing is as `inner` says, with
/// nothing final yet, so that the first pass reads everything at `confirmed`; from the
/// next listing on, `signature` is as `fork` says.
pub struct Forked<'a> {
    inner: &'a RpcSource,
    signature: String,
    fork: Fork,
    listed: AtomicBool,
}

impl<'a> Forked<'a> {
    pub fn new(inner: &'a RpcSource, signature: String, fork: Fork) -> Self {
        Self {
            inner,
            signature,
            fork,
            listed: AtomicBool::new(false),
        }
    }

    fn listed(&self) -> bool {
        self.listed.load(Ordering::SeqCst)
    }
}

impl Source for Forked<'_> {
    async fn new_signatures(
        &self,
        after: Option<&Checkpoint>,
    ) -> Result<Vec<SignatureInfo>, SourceError> {
        let listed = self.inner.new_signatures(after).await?;
        if !self.listed.swap(true, Ordering::SeqCst) {
            return Ok(listed);
        }
        match self.fork {
            // Its fork is gone: it is listed no more.
            Fork::Dropped { .. } => Ok(listed
                .into_iter()
                .filter(|s| s.signature != self.signature)
                .collect()),
            // The node lists it one slot later, where it landed again.
            Fork::Relanded => {
                let mut moved: Vec<SignatureInfo> = listed
                    .into_iter()
                    .map(|mut s| {
                        if s.signature == self.signature {
                            s.slot += 1;
                        }
                        s
                    })
                    .collect();
                moved.sort_by_key(|s| s.slot);
                databounty_indexer::source::order_listing(moved.into_iter().rev().collect(), after)
            }
        }
    }
    async fn transaction(&self, signature: &str) -> Result<TransactionUpdate, SourceError> {
        self.inner.transaction(signature).await
    }
    /// Nothing is final at the first pass, so everything is read at `confirmed`.
    async fn slots(&self) -> Result<(u64, u64), SourceError> {
        let (head, finalized) = self.inner.slots().await?;
        Ok((head, if self.listed() { finalized } else { 0 }))
    }
    async fn statuses(&self, signatures: &[String]) -> Result<Vec<Option<TxStatus>>, SourceError> {
        let mut statuses = self.inner.statuses(signatures).await?;
        for (signature, status) in signatures.iter().zip(&mut statuses) {
            if *signature != self.signature {
                continue;
            }
            match self.fork {
                Fork::Dropped { .. } => *status = None,
                Fork::Relanded if self.listed() => {
                    if let Some(status) = status {
                        status.slot += 1;
                    }
                }
                Fork::Relanded => {}
            }
        }
        Ok(statuses)
    }
    async fn block_check(&self, slot: u64, signature: &str) -> Result<BlockCheck, SourceError> {
        match self.fork {
            Fork::Dropped { block } if *signature == self.signature => Ok(block),
            Fork::Dropped { .. } => Ok(BlockCheck::Contains),
            Fork::Relanded => self.inner.block_check(slot, signature).await,
        }
    }
}

/// Bounty terms for tests: the reviewers at quorum two, three winners of `reward` each,
/// funded with 10 tokens, deadlines from the chain's clock `now`, no fee and no bond.
pub fn terms(reviewers: &[Keypair], now: i64, nonce: u64, reward: u64) -> BountyCreateArgs {
    BountyCreateArgs {
        dataset_id: [7u8; 32],
        nonce,
        metadata_uri: "ipfs://terms".into(),
        reward_per_submission: reward,
        max_winners: 3,
        reviewers: reviewers.iter().map(|r| r.pubkey()).collect(),
        quorum: 2,
        submission_deadline: now + 3_600,
        review_deadline: now + 7_200,
        allow_permanent_delegate: false,
        initial_funding: 10_000_000,
        review_fee: 0,
        submission_bond: 0,
    }
}

/// `funder` tops `bounty` up by `amount` from `funder_ata`, its account of the SPL Token
/// `mint`.
pub fn fund_ix(
    funder: &Keypair,
    bounty: &Pubkey,
    mint: &Pubkey,
    funder_ata: &Pubkey,
    amount: u64,
) -> Instruction {
    let program = anchor_spl::token::ID;
    ix::bounty_fund(&funder.pubkey(), bounty, mint, &program, funder_ata, amount)
}

/// The JSON `url` answers with.
pub async fn get_json(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// The stored checkpoint of the test source.
pub async fn checkpoint(pool: &PgPool) -> Option<Checkpoint> {
    let row: Option<(String, i64, i32)> =
        sqlx::query_as("SELECT signature, slot, tx_index FROM checkpoints")
            .fetch_optional(pool)
            .await
            .expect("checkpoint query");
    row.map(|(signature, slot, tx_index)| Checkpoint {
        signature,
        slot: u64::try_from(slot).expect("slot"),
        tx_index: u32::try_from(tx_index).expect("tx_index"),
    })
}

/// The lifecycle's review fee and submission bond, in token base units.
pub const REVIEW_FEE: u64 = 1_000;
pub const BOND: u64 = 500;

pub struct Chain {
    pub localnet: Localnet,
    pub rpc: RpcClient,
}

pub struct Lifecycle {
    pub mint: Pubkey,
    pub creator: Keypair,
    pub bounty: Pubkey,
    pub cancelled_bounty: Pubkey,
    pub reviewers: Vec<Keypair>,
    pub contributors: Vec<Keypair>,
    pub submissions: Vec<Pubkey>,
    pub signatures: Vec<Signature>,
    pub reward: u64,
}

impl Chain {
    pub async fn start() -> Self {
        Self::start_with(Duration::from_millis(20), FINALITY_SLOTS).await
    }

    /// A chain making a slot every `slot_time`, final `finality_slots` behind the head.
    pub async fn start_with(slot_time: Duration, finality_slots: u64) -> Self {
        let config = LocalnetConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            slot_time,
            finality_slots,
        };
        let localnet = Localnet::start(config).await.expect("local chain");
        let rpc =
            RpcClient::new_with_commitment(localnet.url.clone(), CommitmentConfig::confirmed());
        Self { localnet, rpc }
    }

    /// A source reading this chain at `commitment`.
    pub fn source(&self, commitment: CommitmentConfig) -> RpcSource {
        rpc_source(&self.localnet.url, commitment, Metrics::default())
    }

    pub async fn funded(&self) -> Keypair {
        let key = Keypair::new();
        let sig = self
            .rpc
            .request_airdrop(&key.pubkey(), 5_000_000_000)
            .await
            .expect("airdrop");
        for _ in 0..200 {
            if self.rpc.confirm_transaction(&sig).await.unwrap_or(false) {
                return key;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("airdrop not confirmed");
    }

    pub async fn send(
        &self,
        ixs: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> Signature {
        let blockhash = self.rpc.get_latest_blockhash().await.expect("blockhash");
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
        self.rpc
            .send_and_confirm_transaction(&tx)
            .await
            .expect("transaction lands")
    }

    /// Waits until everything sent so far is finalized.
    pub async fn wait_finalized(&self) {
        let target = self
            .rpc
            .get_slot_with_commitment(CommitmentConfig::processed())
            .await
            .unwrap();
        for _ in 0..500 {
            let finalized = self
                .rpc
                .get_slot_with_commitment(CommitmentConfig::finalized())
                .await
                .unwrap();
            if finalized >= target {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("never finalized");
    }

    pub async fn chain_time(&self) -> i64 {
        let account = self
            .rpc
            .get_account(&accounts::CLOCK_SYSVAR)
            .await
            .expect("the clock");
        accounts::chain_time(&account.data).expect("clock data")
    }

    /// A new SPL Token mint with `owner` as its authority and 100 tokens (6 decimals) in
    /// `owner`'s associated token account: (mint, that account, the signature).
    pub async fn token(&self, owner: &Keypair) -> (Pubkey, Pubkey, Signature) {
        let program = anchor_spl::token::ID;
        let mint = Keypair::new();
        let new_mint = accounts::NewMint::new(mint.pubkey(), program, owner.pubkey(), 6);
        let rent = self
            .rpc
            .get_minimum_balance_for_rent_exemption(new_mint.space().expect("mint size"))
            .await
            .expect("rent");
        let mut ixs = new_mint
            .instructions(&owner.pubkey(), rent, vec![])
            .expect("mint instructions");
        ixs.extend(
            accounts::mint_to_owner_ixs(
                &owner.pubkey(),
                &owner.pubkey(),
                &owner.pubkey(),
                &mint.pubkey(),
                &program,
                100_000_000,
            )
            .expect("mint_to"),
        );
        let signature = self.send(&ixs, owner, &[&mint]).await;
        let owner_ata = accounts::ata(&owner.pubkey(), &mint.pubkey(), &program);
        (mint.pubkey(), owner_ata, signature)
    }

    /// The terms a contributor accepts by submitting: the bounty's as read now.
    pub async fn terms(&self, bounty: &Pubkey) -> [u8; 32] {
        let account = self.rpc.get_account(bounty).await.expect("the bounty");
        databounty_sdk::hash::bounty_terms(&account.data).expect("bounty data")
    }

    /// `who` registers `content` (with `uri`) to `bounty`: (submission, hash, signature).
    pub async fn submit(
        &self,
        who: &Keypair,
        bounty: &Pubkey,
        content: &[u8],
        uri: Option<String>,
    ) -> (Pubkey, [u8; 32], Signature) {
        self.submit_with_bond(who, bounty, content, uri, None).await
    }

    /// [`Chain::submit`], posting the bounty's bond from `who`'s associated account of
    /// `bond_mint` when one is given.
    pub async fn submit_with_bond(
        &self,
        who: &Keypair,
        bounty: &Pubkey,
        content: &[u8],
        uri: Option<String>,
        bond_mint: Option<Pubkey>,
    ) -> (Pubkey, [u8; 32], Signature) {
        let digest = databounty_sdk::hash::reader_digest(content, |_| {}).unwrap();
        let hash = submission_hash(bounty, &who.pubkey(), &digest);
        let terms = self.terms(bounty).await;
        let create = match bond_mint {
            None => ix::submission_create(&who.pubkey(), bounty, hash, uri, terms),
            Some(mint) => {
                let bond = ix::BondAccounts {
                    mint,
                    token_program: anchor_spl::token::ID,
                    token_account: None,
                };
                ix::submission_create_with_bond(&who.pubkey(), bounty, hash, uri, terms, bond)
            }
        };
        let signature = self.send(&[create], who, &[]).await;
        (
            pda::submission(bounty, &who.pubkey(), &hash),
            hash,
            signature,
        )
    }

    /// `reviewer` votes on a submission.
    pub async fn vote(
        &self,
        reviewer: &Keypair,
        bounty: &Pubkey,
        submission: &Pubkey,
        hash: [u8; 32],
        approve: bool,
    ) -> Signature {
        self.send(
            &[ix::submission_attest(
                &reviewer.pubkey(),
                bounty,
                submission,
                hash,
                approve,
            )],
            reviewer,
            &[],
        )
        .await
    }

    /// Pays an accepted submission to `contributor`'s associated token account.
    pub async fn release(
        &self,
        payer: &Keypair,
        bounty: &Pubkey,
        submission: &Pubkey,
        mint: &Pubkey,
        contributor: &Pubkey,
    ) -> Signature {
        let program = anchor_spl::token::ID;
        let to = accounts::ata(contributor, mint, &program);
        self.send(
            &[
                accounts::create_ata_ix(&payer.pubkey(), contributor, mint, &program),
                ix::submission_release(
                    &payer.pubkey(),
                    bounty,
                    submission,
                    contributor,
                    mint,
                    &program,
                    Some(to),
                ),
            ],
            payer,
            &[],
        )
        .await
    }

    /// `creator` creates a bounty on `args`, funded from `creator_ata`, its account of
    /// the SPL Token `mint`.
    pub async fn create_bounty(
        &self,
        creator: &Keypair,
        mint: &Pubkey,
        creator_ata: Pubkey,
        args: BountyCreateArgs,
    ) -> Signature {
        let program = anchor_spl::token::ID;
        let key = creator.pubkey();
        let create = ix::bounty_create(&key, &key, mint, &program, Some(creator_ata), args);
        self.send(&[create], creator, &[]).await
    }

    /// A bounty that only takes top-ups (the benches fund it many times), of a new
    /// creator with a new token: one winner of 1, funded with 1, reviewers nobody uses.
    /// Returns (the creator, the mint, the creator's token account, the bounty).
    pub async fn bounty_to_fund(
        &self,
        dataset_id: [u8; 32],
        metadata_uri: &str,
    ) -> (Keypair, Pubkey, Pubkey, Pubkey) {
        let creator = self.funded().await;
        let (mint, creator_ata, _) = self.token(&creator).await;
        let reviewers: Vec<Keypair> = (0..3).map(|_| Keypair::new()).collect();
        let now = self.chain_time().await;
        let args = BountyCreateArgs {
            dataset_id,
            metadata_uri: metadata_uri.into(),
            max_winners: 1,
            initial_funding: 1,
            ..terms(&reviewers, now, 0, 1)
        };
        self.create_bounty(&creator, &mint, creator_ata, args).await;
        let bounty = pda::bounty(&creator.pubkey(), &dataset_id, 0);
        (creator, mint, creator_ata, bounty)
    }

    /// Each of `reviewers` approves a submission.
    pub async fn approve(
        &self,
        reviewers: &[Keypair],
        bounty: &Pubkey,
        submission: &Pubkey,
        hash: [u8; 32],
    ) {
        for reviewer in reviewers {
            self.vote(reviewer, bounty, submission, hash, true).await;
        }
    }

    /// `creator` cancels `bounty` and has what is left refunded to `creator_ata`.
    pub async fn cancel_and_refund(
        &self,
        creator: &Keypair,
        bounty: &Pubkey,
        mint: &Pubkey,
        creator_ata: Pubkey,
    ) -> [Signature; 2] {
        let (key, program) = (creator.pubkey(), anchor_spl::token::ID);
        let cancel = ix::bounty_cancel(&key, bounty);
        let refund = ix::bounty_refund(&key, bounty, &key, mint, &program, Some(creator_ata));
        [
            self.send(&[cancel], creator, &[]).await,
            self.send(&[refund], creator, &[]).await,
        ]
    }

    /// `payer` cranks the claim of the fees `bounty` owes `reviewer`, to the reviewer's
    /// associated account of the SPL Token `mint`.
    pub async fn claim_fees(
        &self,
        payer: &Keypair,
        bounty: &Pubkey,
        reviewer: &Pubkey,
        mint: &Pubkey,
    ) -> Signature {
        let program = anchor_spl::token::ID;
        let claim = ix::review_fee_claim(&payer.pubkey(), bounty, reviewer, mint, &program, None);
        self.send(&[claim], payer, &[]).await
    }

    /// `creator` closes the emptied `bounty`.
    pub async fn close_bounty(&self, creator: &Keypair, bounty: &Pubkey, mint: &Pubkey) {
        let close = ix::bounty_close(&creator.pubkey(), bounty, mint, &anchor_spl::token::ID);
        self.send(&[close], creator, &[]).await;
    }

    pub async fn run_lifecycle(&self) -> Lifecycle {
        let creator = self.funded().await;
        let (mint, creator_ata, signature) = self.token(&creator).await;
        let mut signatures = vec![signature];
        let mut reviewers = Vec::new();
        for _ in 0..3 {
            reviewers.push(self.funded().await);
        }
        let now = self.chain_time().await;
        let reward = 2_000_000;
        let args = |nonce, funding| BountyCreateArgs {
            dataset_id: [9u8; 32],
            metadata_uri: "ipfs://guidelines".into(),
            initial_funding: funding,
            review_fee: REVIEW_FEE,
            submission_bond: BOND,
            ..terms(&reviewers, now, nonce, reward)
        };
        for (nonce, funding) in [(0, 10_000_000), (1, 5_000_000)] {
            let create = self.create_bounty(&creator, &mint, creator_ata, args(nonce, funding));
            signatures.push(create.await);
        }
        let bounty = pda::bounty(&creator.pubkey(), &[9u8; 32], 0);
        let cancelled_bounty = pda::bounty(&creator.pubkey(), &[9u8; 32], 1);

        let mut contributors = Vec::new();
        let mut submissions = Vec::new();
        let mut hashes = Vec::new();
        for content in [&b"alice"[..], b"bob", b"carol"] {
            let who = self.funded().await;
            let program = anchor_spl::token::ID;
            let key = creator.pubkey();
            let tokens =
                accounts::mint_to_owner_ixs(&key, &key, &who.pubkey(), &mint, &program, BOND)
                    .expect("mint_to");
            self.send(&tokens, &creator, &[]).await;
            let post = self.submit_with_bond(&who, &bounty, content, None, Some(mint));
            let (submission, hash, signature) = post.await;
            signatures.push(signature);
            submissions.push(submission);
            hashes.push(hash);
            contributors.push(who);
        }
        // Alice: two approvals -> accepted, then paid, her bond returned. Bob: one yes, two
        // no -> rejected, his bond forfeited. Carol: one approval, still pending. Each
        // decision earns its agreeing reviewers a fee.
        for (r, s, approve) in [
            (0, 0, true),
            (1, 0, true),
            (1, 1, true),
            (0, 1, false),
            (2, 1, false),
            (2, 2, true),
        ] {
            let (reviewer, submission) = (&reviewers[r], &submissions[s]);
            let vote = self.vote(reviewer, &bounty, submission, hashes[s], approve);
            signatures.push(vote.await);
        }
        let alice = contributors[0].pubkey();
        let release = self.release(&creator, &bounty, &submissions[0], &mint, &alice);
        signatures.push(release.await);
        let first = reviewers[0].pubkey();
        signatures.push(self.claim_fees(&creator, &bounty, &first, &mint).await);
        // The second bounty is cancelled and refunded.
        let cancel_and_refund =
            self.cancel_and_refund(&creator, &cancelled_bounty, &mint, creator_ata);
        signatures.extend(cancel_and_refund.await);
        Lifecycle {
            mint,
            creator,
            bounty,
            cancelled_bounty,
            reviewers,
            contributors,
            submissions,
            signatures,
            reward,
        }
    }
}
