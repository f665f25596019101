//! A lifecycle on the local chain for the indexer's tests: two bounties, three
//! contributors (paid, rejected, still pending), three reviewers, a cancel and a refund.

#![allow(dead_code)]

use std::time::Duration;

use databounty::instructions::BountyCreateArgs;
use databounty_indexer::db::{Checkpoint, Db, Writer};
use databounty_indexer::metrics::Metrics;
use databounty_indexer::pipeline::{run_once, PipelineConfig, PipelineError, Stop};
use databounty_indexer::source::Source;
use databounty_localnet::{Localnet, LocalnetConfig};
use databounty_sdk::hash::submission_hash;
use databounty_sdk::{accounts, instructions as ix, pda};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;

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

/// The stored checkpoint of the test source.
pub async fn checkpoint(pool: &sqlx::PgPool) -> Option<Checkpoint> {
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
        let config = LocalnetConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            slot_time: Duration::from_millis(20),
            finality_slots: FINALITY_SLOTS,
        };
        let localnet = Localnet::start(config).await.expect("local chain");
        let rpc =
            RpcClient::new_with_commitment(localnet.url.clone(), CommitmentConfig::confirmed());
        Self { localnet, rpc }
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
        let digest = databounty_sdk::hash::reader_digest(content, |_| {}).unwrap();
        let hash = submission_hash(bounty, &who.pubkey(), &digest);
        let signature = self
            .send(
                &[ix::submission_create(
                    &who.pubkey(),
                    bounty,
                    hash,
                    uri,
                    databounty_sdk::hash::bounty_terms(
                        &self.rpc.get_account_data(bounty).await.unwrap(),
                    )
                    .unwrap(),
                )],
                who,
                &[],
            )
            .await;
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

    pub async fn run_lifecycle(&self) -> Lifecycle {
        let program = anchor_spl::token::ID;
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
            nonce,
            metadata_uri: "ipfs://guidelines".into(),
            reward_per_submission: reward,
            max_winners: 3,
            reviewers: reviewers.iter().map(|r| r.pubkey()).collect(),
            quorum: 2,
            submission_deadline: now + 3_600,
            review_deadline: now + 7_200,
            allow_permanent_delegate: false,
            initial_funding: funding,
            review_fee: 0,
            submission_bond: 0,
        };
        let create = |nonce, funding| {
            ix::bounty_create(
                &creator.pubkey(),
                &creator.pubkey(),
                &mint,
                &program,
                Some(creator_ata),
                args(nonce, funding),
            )
        };
        signatures.push(self.send(&[create(0, 10_000_000)], &creator, &[]).await);
        signatures.push(self.send(&[create(1, 5_000_000)], &creator, &[]).await);
        let bounty = pda::bounty(&creator.pubkey(), &[9u8; 32], 0);
        let cancelled_bounty = pda::bounty(&creator.pubkey(), &[9u8; 32], 1);

        let mut contributors = Vec::new();
        let mut submissions = Vec::new();
        let mut hashes = Vec::new();
        for content in [&b"alice"[..], b"bob", b"carol"] {
            let who = self.funded().await;
            let digest = databounty_sdk::hash::reader_digest(content, |_| {}).unwrap();
            let hash = submission_hash(&bounty, &who.pubkey(), &digest);
            signatures.push(
                self.send(
                    &[ix::submission_create(
                        &who.pubkey(),
                        &bounty,
                        hash,
                        None,
                        databounty_sdk::hash::bounty_terms(
                            &self.rpc.get_account_data(&bounty).await.unwrap(),
                        )
                        .unwrap(),
                    )],
                    &who,
                    &[],
                )
                .await,
            );
            submissions.push(pda::submission(&bounty, &who.pubkey(), &hash));
            hashes.push(hash);
            contributors.push(who);
        }
        let vote = |r: usize, s: usize, approve: bool| {
            ix::submission_attest(
                &reviewers[r].pubkey(),
                &bounty,
                &submissions[s],
                hashes[s],
                approve,
            )
        };
        // Alice: two approvals -> accepted, then paid. Bob: one yes, two no -> rejected.
        // Carol: one approval, still pending.
        for (r, s, approve) in [
            (0, 0, true),
            (1, 0, true),
            (1, 1, true),
            (0, 1, false),
            (2, 1, false),
            (2, 2, true),
        ] {
            signatures.push(self.send(&[vote(r, s, approve)], &reviewers[r], &[]).await);
        }
        let alice_ata = accounts::ata(&contributors[0].pubkey(), &mint, &program);
        signatures.push(
            self.send(
                &[
                    accounts::create_ata_ix(
                        &creator.pubkey(),
                        &contributors[0].pubkey(),
                        &mint,
                        &program,
                    ),
                    ix::submission_release(
                        &creator.pubkey(),
                        &bounty,
                        &submissions[0],
                        &contributors[0].pubkey(),
                        &mint,
                        &program,
                        Some(alice_ata),
                    ),
                ],
                &creator,
                &[],
            )
            .await,
        );
        // The second bounty is cancelled and refunded.
        signatures.push(
            self.send(
                &[ix::bounty_cancel(&creator.pubkey(), &cancelled_bounty)],
                &creator,
                &[],
            )
            .await,
        );
        signatures.push(
            self.send(
                &[ix::bounty_refund(
                    &creator.pubkey(),
                    &cancelled_bounty,
                    &creator.pubkey(),
                    &mint,
                    &program,
                    Some(creator_ata),
                )],
                &creator,
                &[],
            )
            .await,
        );
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
