//! The indexer against a real Postgres (each test its own fresh database, through
//! `#[sqlx::test]`) and the local chain over real RPC.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use anchor_lang::AccountDeserialize;
use common::{
    checkpoint, count, empty_tables, finalized_lifecycle, garbage_rpc, get_json, index as run_once,
    index_finalized, metric, quick_retries, rpc_source, serve, terms, Chain, Fork, Forked,
    Lifecycle, ACCOUNT_TABLES, BOND, LEDGER_TABLES, REVIEW_FEE,
};
use databounty::state::{Bounty, Submission};
use databounty_indexer::db::{Checkpoint, Db};
use databounty_indexer::decoder::TransactionUpdate;
use databounty_indexer::metrics::Metrics;
use databounty_indexer::pipeline::PipelineConfig;
use databounty_indexer::source::{
    Backoff, BlockCheck, RpcSource, SignatureInfo, Source, SourceError, TxStatus,
};
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use sqlx::{PgPool, Row};

fn config(confirmed: bool) -> PipelineConfig {
    PipelineConfig {
        program_id: databounty::ID,
        source_name: "test".into(),
        concurrency: 4,
        batch_size: 3,
        confirmed,
    }
}

/// A digest of every table, to compare two ingestions.
async fn snapshot(pool: &PgPool) -> Vec<String> {
    let mut out = Vec::new();
    let tables = ACCOUNT_TABLES.into_iter().chain(LEDGER_TABLES);
    for table in ["events"].into_iter().chain(tables).chain(["checkpoints"]) {
        let columns = if table == "events" {
            "signature, instruction_index, inner_index, name, data"
        } else {
            "*"
        };
        let sql = format!("SELECT count(*)::bigint, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM (SELECT {columns} FROM {table}) t");
        let sql = if table == "checkpoints" {
            "SELECT count(*)::bigint, coalesce(string_agg(signature, ','), '') FROM checkpoints"
                .to_string()
        } else {
            sql
        };
        let row = sqlx::query(&sql).fetch_one(pool).await.unwrap();
        out.push(format!(
            "{table}: {} {}",
            row.get::<i64, _>(0),
            row.get::<String, _>(1)
        ));
    }
    out
}

/// The one value `sql` returns with `bind` as its `$1`.
async fn value_for<T>(pool: &PgPool, sql: &str, bind: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every table equals what the chain says.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_lifecycle_indexed_matches_the_chain(pool: PgPool) {
    let (chain, life, db) = finalized_lifecycle(&pool).await;
    let metrics = Metrics::default();
    let written = run_once(
        &chain.source(CommitmentConfig::finalized()),
        &db,
        &config(false),
        &metrics,
    )
    .await
    .unwrap();
    // 2 creates + 2 fundings; 3 submissions + 3 bonds posted; 6 votes, the acceptance
    // and the rejection (+ its bond forfeited), fees reserved at both; the payout + its
    // bond returned; a fee claim; cancel and refund.
    assert_eq!(written, 4 + 6 + (6 + 3 + 2) + 2 + 1 + 2);
    assert_eq!(metrics.events(), written as u64);

    for address in [life.bounty, life.cancelled_bounty] {
        let account = chain.rpc.get_account(&address).await.unwrap();
        let on_chain = Bounty::try_deserialize(&mut account.data.as_slice()).unwrap();
        let row = sqlx::query(
            "SELECT funded::text, reserved::text, released::text, refunded::text, submissions, pending, accepted, paid,
                    open_submission_accounts, status, creator, mint, quorum, reviewers,
                    ARRAY[fees_reserved, fees_paid, bonds_held, bonds_returned, bonds_forfeited]::text[]
             FROM bounties WHERE bounty = $1",
        )
        .bind(address.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(row.get::<String, _>(0), on_chain.funded.to_string());
        assert_eq!(row.get::<String, _>(1), on_chain.reserved.to_string());
        assert_eq!(row.get::<String, _>(2), on_chain.released.to_string());
        assert_eq!(row.get::<String, _>(3), on_chain.refunded.to_string());
        let counters: Vec<i64> = (4..9).map(|i| row.get::<i64, _>(i)).collect();
        let expected: Vec<i64> = [
            on_chain.submissions,
            on_chain.pending,
            on_chain.accepted,
            on_chain.paid,
            on_chain.open_submission_accounts,
        ]
        .iter()
        .map(|&v| i64::from(v))
        .collect();
        assert_eq!(counters, expected);
        assert_eq!(row.get::<String, _>(9), format!("{:?}", on_chain.status));
        assert_eq!(row.get::<String, _>(10), on_chain.creator.to_string());
        assert_eq!(row.get::<String, _>(11), on_chain.mint.to_string());
        assert_eq!(row.get::<i16, _>(12), i16::from(on_chain.quorum));
        let reviewers: Vec<String> = row.get(13);
        assert_eq!(
            reviewers,
            on_chain
                .reviewers
                .iter()
                .map(Pubkey::to_string)
                .collect::<Vec<_>>()
        );
        let fees_and_bonds = [
            on_chain.fees_reserved,
            on_chain.fees_paid,
            on_chain.bonds_held,
            on_chain.bonds_returned,
            on_chain.bonds_forfeited,
        ];
        assert_eq!(
            row.get::<Vec<String>, _>(14),
            fees_and_bonds.map(|v| v.to_string())
        );
    }
    // Four agreeing votes earned a fee each; the first reviewer (two of them) claimed.
    // Carol's bond is still held.
    let main: Bounty = {
        let account = chain.rpc.get_account(&life.bounty).await.unwrap();
        Bounty::try_deserialize(&mut account.data.as_slice()).unwrap()
    };
    assert_eq!(
        [main.fees_reserved, main.fees_paid],
        [2 * REVIEW_FEE, 2 * REVIEW_FEE]
    );
    assert_eq!(
        [main.bonds_held, main.bonds_returned, main.bonds_forfeited],
        [BOND; 3]
    );
    for address in &life.submissions {
        let account = chain.rpc.get_account(address).await.unwrap();
        let on_chain = Submission::try_deserialize(&mut account.data.as_slice()).unwrap();
        let row = sqlx::query("SELECT status, approvals, rejections, contributor, hash FROM submissions WHERE submission = $1")
            .bind(address.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>(0), format!("{:?}", on_chain.status));
        assert_eq!(row.get::<i16, _>(1), i16::from(on_chain.approval_count()));
        assert_eq!(row.get::<i16, _>(2), i16::from(on_chain.rejection_count()));
        assert_eq!(row.get::<String, _>(3), on_chain.contributor.to_string());
        assert_eq!(
            row.get::<String, _>(4),
            databounty_sdk::hash::hex(&on_chain.hash)
        );
    }
    let rows = |table: &'static str| {
        let pool = pool.clone();
        async move { count(&pool, &format!("SELECT count(*) FROM {table}")).await }
    };
    assert_eq!(rows("attestations").await, 6);
    assert_eq!(rows("fundings").await, 2);
    assert_eq!(rows("payouts").await, 1);
    assert_eq!(rows("refunds").await, 1);
    assert_eq!(rows("fee_awards").await, 4);
    assert_eq!(rows("fee_claims").await, 1);
    assert_eq!(rows("bond_movements").await, 5);

    // The analyst views.
    let alice = life.contributors[0].pubkey().to_string();
    assert_eq!(
        value_for::<String>(
            &pool,
            "SELECT earned::text FROM contributor_earnings WHERE contributor = $1",
            &alice
        )
        .await,
        life.reward.to_string()
    );
    let agreement = sqlx::query(
        "SELECT reviewer, votes, agreed, fees_earned::bigint, fees_claimed::bigint
         FROM reviewer_agreement ORDER BY reviewer",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let by_reviewer: std::collections::HashMap<String, (i64, i64, i64, i64)> = agreement
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3), r.get(4))))
        .collect();
    let fee = i64::try_from(REVIEW_FEE).unwrap();
    // Reviewer 1 approved both Alice (accepted) and Bob (rejected): one of two agree.
    // A fee is earned per agreeing vote; only reviewer 0 has claimed.
    assert_eq!(
        by_reviewer[&life.reviewers[1].pubkey().to_string()],
        (2, 1, fee, 0)
    );
    assert_eq!(
        by_reviewer[&life.reviewers[0].pubkey().to_string()],
        (2, 2, 2 * fee, 2 * fee)
    );
    assert_eq!(
        by_reviewer[&life.reviewers[2].pubkey().to_string()],
        (1, 1, fee, 0),
        "the pending submission's vote is not judged"
    );
    let decided: i64 = value_for(
        &pool,
        "SELECT decided FROM time_to_quorum WHERE bounty = $1",
        &life.bounty.to_string(),
    )
    .await;
    assert_eq!(decided, 2);
    let funding = sqlx::query(
        "SELECT bounties, funded::text, released::text, refunded::text FROM dataset_funding",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(funding.get::<i64, _>(0), 2);
    assert_eq!(funding.get::<String, _>(1), "15000000");
    assert_eq!(funding.get::<String, _>(2), life.reward.to_string());
    assert_eq!(funding.get::<String, _>(3), "5000000");

    // The HTTP API over the same data.
    let url = serve(&db, &metrics, std::time::Duration::from_secs(60)).await;
    let get = |path: String| {
        let url = url.clone();
        async move { reqwest::get(format!("{url}{path}")).await.unwrap() }
    };
    let json = |path: String| {
        let get = &get;
        async move { get(path).await.json::<Value>().await.unwrap() }
    };
    let page = json("/bounties?limit=1".into()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let second = json("/bounties?limit=1&offset=1".into()).await;
    assert_ne!(page["items"][0]["bounty"], second["items"][0]["bounty"]);
    let one = json(format!("/bounties/{}", life.bounty)).await;
    assert_eq!(one["released"], life.reward.to_string());
    assert_eq!(
        get(format!("/bounties/{}", Pubkey::new_unique()))
            .await
            .status(),
        404
    );
    let subs = json(format!("/bounties/{}/submissions", life.bounty)).await;
    assert_eq!(subs["items"].as_array().unwrap().len(), 3);
    let earnings = json("/contributors/earnings".into()).await;
    assert_eq!(earnings["items"][0]["contributor"], alice.as_str());
    let agree = json("/reviewers/agreement".into()).await;
    assert_eq!(agree["items"].as_array().unwrap().len(), 3);
    let ttq = json("/time-to-quorum".into()).await;
    assert_eq!(ttq["items"][0]["decided"], 2);
    let datasets = json("/datasets/funding".into()).await;
    assert_eq!(datasets["items"][0]["funded"], "15000000");
    let text = get("/metrics".into()).await.text().await.unwrap();
    assert!(
        text.contains(&format!(
            "databounty_indexer_events_ingested_total {written}"
        )),
        "{text}"
    );
    assert_eq!(get("/health".into()).await.status(), 200);
}

/// The same range ingested twice changes nothing.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn ingesting_the_same_range_twice_changes_nothing(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    let source = chain.source(CommitmentConfig::finalized());
    assert!(
        run_once(&source, &db, &config(false), &Metrics::default())
            .await
            .unwrap()
            > 0
    );
    let first = snapshot(&pool).await;
    // Forget the checkpoint: the whole range is read again.
    sqlx::query("DELETE FROM checkpoints")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        run_once(&source, &db, &config(false), &Metrics::default())
            .await
            .unwrap(),
        0,
        "nothing is new"
    );
    assert_eq!(snapshot(&pool).await, first);
}

/// Fails every getTransaction after the first `healthy` ones, like an RPC going away.
struct FailingAfter<'a> {
    inner: &'a RpcSource,
    healthy: usize,
    calls: AtomicUsize,
}

impl Source for FailingAfter<'_> {
    async fn new_signatures(
        &self,
        after: Option<&Checkpoint>,
    ) -> Result<Vec<SignatureInfo>, SourceError> {
        self.inner.new_signatures(after).await
    }
    async fn transaction(&self, signature: &str) -> Result<TransactionUpdate, SourceError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) >= self.healthy {
            return Err(SourceError::Missing {
                signature: signature.to_string(),
                why: "gone".into(),
            });
        }
        self.inner.transaction(signature).await
    }
    async fn slots(&self) -> Result<(u64, u64), SourceError> {
        self.inner.slots().await
    }
    async fn statuses(&self, signatures: &[String]) -> Result<Vec<Option<TxStatus>>, SourceError> {
        self.inner.statuses(signatures).await
    }
    async fn block_check(&self, slot: u64, signature: &str) -> Result<BlockCheck, SourceError> {
        self.inner.block_check(slot, signature).await
    }
}

/// A crash mid-backfill loses and duplicates nothing: the restart resumes at the
/// checkpoint and ends where an uninterrupted run ends.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_restart_resumes_from_the_checkpoint(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    let healthy = chain
        .source(CommitmentConfig::finalized())
        .with_backoff(Backoff {
            attempts: 1,
            ..Backoff::default()
        });
    let flaky = FailingAfter {
        inner: &healthy,
        healthy: 7,
        calls: AtomicUsize::new(0),
    };
    assert!(
        run_once(&flaky, &db, &config(false), &Metrics::default())
            .await
            .is_err(),
        "the source failed mid-way"
    );
    let partial: i64 = count(&pool, "SELECT count(*) FROM events").await;
    let checkpoint = checkpoint(&pool)
        .await
        .expect("batches before the failure were committed");
    assert!(partial > 0);
    // Every committed row is at or before the checkpoint; nothing after it.
    let beyond: i64 = sqlx::query("SELECT count(*) FROM events WHERE slot > $1")
        .bind(i64::try_from(checkpoint.slot).unwrap())
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(beyond, 0);

    run_once(&healthy, &db, &config(false), &Metrics::default())
        .await
        .unwrap();
    let resumed = snapshot(&pool).await;

    // The same chain ingested in one go, in a clean schema.
    empty_tables(&pool).await;
    run_once(&healthy, &db, &config(false), &Metrics::default())
        .await
        .unwrap();
    assert_eq!(snapshot(&pool).await, resumed);
}

/// A lifecycle indexed at `confirmed` while its last transaction (the refund) was
/// listed, and again once everything is final and the node says the refund's fork was
/// abandoned, the finalized block at its slot saying `block` of it: the lifecycle, the
/// refund's signature and the metrics of the second pass.
async fn refund_forked_away(pool: &PgPool, block: BlockCheck) -> (Lifecycle, String, Metrics) {
    let chain = Chain::start().await;
    let life = chain.run_lifecycle().await;
    let refund = life.signatures.last().unwrap().to_string();
    let db = Db::from_pool(pool.clone());
    let confirmed = chain.source(CommitmentConfig::confirmed());
    let forked = Forked::new(&confirmed, refund.clone(), Fork::Dropped { block });
    run_once(&forked, &db, &config(true), &Metrics::default())
        .await
        .unwrap();
    chain.wait_finalized().await;
    let metrics = Metrics::default();
    run_once(&forked, &db, &config(true), &metrics)
        .await
        .unwrap();
    (life, refund, metrics)
}

/// The rows of the events of the transaction `signature`.
async fn events_of(pool: &PgPool, signature: &str) -> i64 {
    value_for(
        pool,
        "SELECT count(*) FROM events WHERE signature = $1",
        signature,
    )
    .await
}

/// At `confirmed`, rows of a transaction that never finalizes are rolled back and the
/// state it changed is rebuilt from the events that remain.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn confirmed_rows_that_never_finalize_are_rolled_back(pool: PgPool) {
    let (life, refund, _) = refund_forked_away(&pool, BlockCheck::Lacks).await;
    let cancelled = life.cancelled_bounty.to_string();
    assert_eq!(events_of(&pool, &refund).await, 0);
    let kept_checkpoint = checkpoint(&pool)
        .await
        .expect("a rollback keeps a checkpoint: no re-scan of history");
    assert_ne!(kept_checkpoint.signature, refund);
    let refunded = "SELECT refunded::text FROM bounties WHERE bounty = $1";
    assert_eq!(
        value_for::<String>(&pool, refunded, &cancelled).await,
        "0",
        "the refund never happened"
    );
    let refunds: i64 = count(&pool, "SELECT count(*) FROM refunds").await;
    assert_eq!(refunds, 0);
    let status: String = value_for(
        &pool,
        "SELECT status FROM bounties WHERE bounty = $1",
        &cancelled,
    )
    .await;
    assert_eq!(
        status, "Cancelled",
        "events before the dropped one still apply"
    );
    let unfinalized: i64 = count(&pool, "SELECT count(*) FROM events WHERE NOT finalized").await;
    assert_eq!(unfinalized, 0, "everything else is marked final");
    let kept: HashSet<String> = sqlx::query("SELECT DISTINCT signature FROM events")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!kept.contains(&refund));
}

/// A transaction whose status the node no longer gives, in a block the node cannot
/// show, is not known to be off the chain: its rows stay, and the case is counted.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn an_unknown_status_is_not_a_rollback(pool: PgPool) {
    let (_, refund, metrics) = refund_forked_away(&pool, BlockCheck::Unknown).await;
    assert_eq!(events_of(&pool, &refund).await, 1, "kept while unknown");
    assert_eq!(
        metric(&metrics, "databounty_indexer_unresolved_finality_total"),
        Some(1),
        "{}",
        metrics.render()
    );
}

/// An RPC that answers every request with an HTML error page: the pass fails with an
/// RPC error after its retries, counts them, and writes nothing.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn garbage_rpc_replies_fail_the_pass_and_write_nothing(pool: PgPool) {
    let url = garbage_rpc("<html>502 Bad Gateway</html>").await;
    let metrics = Metrics::default();
    let source = rpc_source(&url, CommitmentConfig::finalized(), metrics.clone())
        .with_backoff(quick_retries());
    let db = Db::from_pool(pool.clone());
    let err = run_once(&source, &db, &config(false), &metrics)
        .await
        .expect_err("garbage is an error");
    assert!(err.to_string().starts_with("RPC"), "{err}");
    assert_eq!(
        metric(&metrics, "databounty_indexer_rpc_errors_total"),
        Some(3),
        "three attempts counted"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM events").await, 0);
    assert!(checkpoint(&pool).await.is_none());
}

/// A history read page by page (pages of 2 signatures, written as each is read) ends
/// exactly as one read in a single page.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_paged_backfill_equals_a_single_page(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    let paged = chain
        .source(CommitmentConfig::finalized())
        .with_page_limit(2);
    run_once(&paged, &db, &config(false), &Metrics::default())
        .await
        .unwrap();
    let by_pages = snapshot(&pool).await;
    empty_tables(&pool).await;
    index_finalized(&chain, &db, &config(false)).await.unwrap();
    assert_eq!(snapshot(&pool).await, by_pages);
}

/// One transaction per batch or all in one: the tables end the same, so folding a
/// batch's events into one statement per table loses nothing.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn batch_size_does_not_change_the_result(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    let source = chain.source(CommitmentConfig::finalized());
    let mut snapshots = Vec::new();
    for batch_size in [1, 1_000] {
        empty_tables(&pool).await;
        let config = PipelineConfig {
            batch_size,
            ..config(false)
        };
        run_once(&source, &db, &config, &Metrics::default())
            .await
            .unwrap();
        snapshots.push(snapshot(&pool).await);
    }
    assert_eq!(snapshots[0], snapshots[1]);
}

/// Fair work indexed: a bounty with a review fee and a bond; one submission accepted
/// (its bond returned with the reward), one rejected with a reason (its bond
/// forfeited); both fees claimed; the deadlines extended; a reviewer replaced. The
/// bounty row equals the account, and every fee and bond movement is a ledger row.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn fees_bonds_reasons_extensions_and_replacements_are_indexed(pool: PgPool) {
    use databounty::instructions::{BountyCreateArgs, BountyExtendArgs};
    use databounty_sdk::instructions::{self as ix, BondAccounts};
    use databounty_sdk::{accounts, pda};
    let program = anchor_spl::token::ID;
    let chain = Chain::start().await;
    let creator = chain.funded().await;
    let (mint, creator_ata, _) = chain.token(&creator).await;
    let reviewers = [chain.funded().await, chain.funded().await];
    let contributors = [chain.funded().await, chain.funded().await];
    for who in &contributors {
        let ixs = accounts::mint_to_owner_ixs(
            &creator.pubkey(),
            &creator.pubkey(),
            &who.pubkey(),
            &mint,
            &program,
            1_000_000,
        )
        .unwrap();
        chain.send(&ixs, &creator, &[]).await;
    }
    let now = chain.chain_time().await;
    let args = BountyCreateArgs {
        dataset_id: [4u8; 32],
        metadata_uri: "ipfs://fair".into(),
        max_winners: 2,
        // Both must approve; one rejection decides.
        quorum: 2,
        initial_funding: 100_000,
        review_fee: 1_000,
        submission_bond: 500,
        ..terms(&reviewers, now, 0, 10_000)
    };
    chain
        .create_bounty(&creator, &mint, creator_ata, args)
        .await;
    let bounty = pda::bounty(&creator.pubkey(), &[4u8; 32], 0);
    let bond = BondAccounts {
        mint,
        token_program: program,
        token_account: None,
    };
    let mut submissions = Vec::new();
    for who in &contributors {
        let hash = [who.pubkey().to_bytes()[0] | 1; 32];
        let terms = chain.terms(&bounty).await;
        let create =
            ix::submission_create_with_bond(&who.pubkey(), &bounty, hash, None, terms, bond);
        chain.send(&[create], who, &[]).await;
        submissions.push((pda::submission(&bounty, &who.pubkey(), &hash), hash));
    }
    let [(accepted, accepted_hash), (rejected, rejected_hash)] = submissions[..] else {
        unreachable!("two submissions")
    };
    chain
        .approve(&reviewers, &bounty, &accepted, accepted_hash)
        .await;
    let reject = ix::submission_attest_with_reason(
        &reviewers[1].pubkey(),
        &bounty,
        &rejected,
        rejected_hash,
        false,
        7,
        Some("ipfs://why\0".into()),
    );
    chain.send(&[reject], &reviewers[1], &[]).await;
    chain
        .release(
            &creator,
            &bounty,
            &accepted,
            &mint,
            &contributors[0].pubkey(),
        )
        .await;
    chain
        .claim_fees(&creator, &bounty, &reviewers[0].pubkey(), &mint)
        .await;
    let extend = ix::bounty_extend(
        &creator.pubkey(),
        &bounty,
        BountyExtendArgs {
            submission_deadline: now + 4_000,
            review_deadline: now + 8_000,
            max_winners: 3,
        },
    );
    chain.send(&[extend], &creator, &[]).await;
    let newcomer = Pubkey::new_unique();
    let replace = ix::bounty_reviewer_replace(
        &creator.pubkey(),
        &bounty,
        &reviewers[1].pubkey(),
        &newcomer,
    );
    chain.send(&[replace], &creator, &[]).await;
    // The replaced reviewer's fees were parked, and its claim comes after it left the list.
    chain
        .claim_fees(&creator, &bounty, &reviewers[1].pubkey(), &mint)
        .await;
    // The first reviewer also decides a submission to a bounty paid in another token: the
    // fee earned there is that token's money, and must not add to the first one's.
    let (other_mint, other_ata, _) = chain.token(&creator).await;
    let other_args = BountyCreateArgs {
        dataset_id: [5u8; 32],
        metadata_uri: "ipfs://other-token".into(),
        quorum: 1,
        initial_funding: 100_000,
        review_fee: 300,
        ..terms(&reviewers[..1], now, 0, 10_000)
    };
    chain
        .create_bounty(&creator, &other_mint, other_ata, other_args)
        .await;
    let other_bounty = pda::bounty(&creator.pubkey(), &[5u8; 32], 0);
    let other_hash = [0x55; 32];
    let other_terms = chain.terms(&other_bounty).await;
    let create = ix::submission_create(
        &contributors[1].pubkey(),
        &other_bounty,
        other_hash,
        None,
        other_terms,
    );
    chain.send(&[create], &contributors[1], &[]).await;
    let other_submission = pda::submission(&other_bounty, &contributors[1].pubkey(), &other_hash);
    chain
        .approve(
            &reviewers[..1],
            &other_bounty,
            &other_submission,
            other_hash,
        )
        .await;
    chain.wait_finalized().await;
    let db = Db::from_pool(pool.clone());
    index_finalized(&chain, &db, &config(false)).await.unwrap();

    let account = chain.rpc.get_account(&bounty).await.unwrap();
    let on_chain = Bounty::try_deserialize(&mut account.data.as_slice()).unwrap();
    let row = sqlx::query(
        "SELECT review_fee::text, submission_bond::text, fees_reserved::text, fees_paid::text, bonds_held::text,
                bonds_returned::text, bonds_forfeited::text, submission_deadline_unix, review_deadline_unix,
                max_winners, reviewers, reviewer_generations, funded::text, released::text
         FROM bounties WHERE bounty = $1",
    )
    .bind(bounty.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    let amounts: Vec<String> = (0..7).map(|i| row.get::<String, _>(i)).collect();
    let expected = [
        on_chain.review_fee,
        on_chain.submission_bond,
        on_chain.fees_reserved,
        on_chain.fees_paid,
        on_chain.bonds_held,
        on_chain.bonds_returned,
        on_chain.bonds_forfeited,
    ];
    assert_eq!(amounts, expected.map(|v| v.to_string()));
    assert_eq!(amounts, ["1000", "500", "0", "3000", "0", "500", "500"]);
    assert_eq!(row.get::<i64, _>(7), on_chain.submission_deadline);
    assert_eq!(row.get::<i64, _>(8), on_chain.review_deadline);
    assert_eq!(row.get::<i64, _>(9), i64::from(on_chain.max_winners));
    let reviewers_row: Vec<String> = row.get(10);
    let on_chain_reviewers: Vec<String> =
        on_chain.reviewers.iter().map(|r| r.to_string()).collect();
    assert_eq!(reviewers_row, on_chain_reviewers);
    assert_eq!(reviewers_row[1], newcomer.to_string());
    let generations: Vec<i32> = row.get(11);
    let on_chain_generations: Vec<i32> = on_chain
        .reviewer_generations
        .iter()
        .map(|g| i32::try_from(*g).unwrap())
        .collect();
    assert_eq!(generations, on_chain_generations);
    assert_eq!(row.get::<String, _>(12), on_chain.funded.to_string());
    assert_eq!(row.get::<String, _>(13), on_chain.released.to_string());

    let bonds: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT submission, bond::text, bond_status FROM submissions WHERE bounty = $1
         ORDER BY bond_status",
    )
    .bind(bounty.to_string())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        bonds,
        [
            (rejected.to_string(), "500".into(), Some("Forfeited".into())),
            (accepted.to_string(), "500".into(), Some("Returned".into())),
        ]
    );
    let moves: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, amount::text FROM bond_movements ORDER BY slot, pos")
            .fetch_all(&pool)
            .await
            .unwrap();
    let kinds: Vec<&str> = moves.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["posted", "posted", "forfeited", "returned"]);
    let parked: String = value_for(
        &pool,
        "SELECT data->>'fees_parked' FROM events WHERE name = 'ReviewerReplaced' AND bounty = $1",
        &bounty.to_string(),
    )
    .await;
    assert_eq!(parked, "2000", "the replaced reviewer's fees, parked");
    let reason: (i32, Option<String>, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT reason_code, reason_uri, reason_uri_raw FROM attestations WHERE submission = $1",
    )
    .bind(rejected.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(reason.0, 7);
    assert_eq!(reason.1.as_deref(), Some("ipfs://why\u{FFFD}"));
    assert_eq!(reason.2.as_deref(), Some(&b"ipfs://why\0"[..]));
    let earnings: Vec<(String, String, i64, String, String)> = sqlx::query_as(
        "SELECT reviewer, mint, agreed, fees_earned::text, fees_claimed::text FROM reviewer_agreement
         ORDER BY reviewer, mint",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // In the first token, the first reviewer agreed once (the acceptance) and the second
    // twice (and the rejection), and both claimed; in the other token the first agreed
    // once and has not claimed.
    let mut expected: Vec<(String, String, i64, String, String)> = [
        (0, mint, 1, "1000", "1000"),
        (1, mint, 2, "2000", "2000"),
        (0, other_mint, 1, "300", "0"),
    ]
    .map(|(i, mint, agreed, earned, claimed)| {
        (
            reviewers[i].pubkey().to_string(),
            mint.to_string(),
            agreed,
            earned.into(),
            claimed.into(),
        )
    })
    .to_vec();
    expected.sort();
    assert_eq!(earnings, expected);

    let url = serve(&db, &Metrics::default(), std::time::Duration::from_secs(60)).await;
    let other = get_json(&format!("{url}/reviewers/agreement?mint={other_mint}")).await;
    let other = other["items"].as_array().unwrap();
    assert_eq!(other.len(), 1, "{other:?}");
    assert_eq!(other[0]["reviewer"], reviewers[0].pubkey().to_string());
    assert_eq!(other[0]["fees_earned"], "300");
    let page = get_json(&format!("{url}/bounties/{bounty}/submissions")).await;
    // Both were sent before the extension: they keep the review deadline they were sent
    // under, while the bounty's moved.
    let deadlines: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["review_deadline"])
        .collect();
    let signed = (now + 7_200).to_string();
    assert_eq!(
        deadlines,
        [&Value::from(signed.clone()), &Value::from(signed)]
    );
    assert_eq!(on_chain.review_deadline, now + 8_000);
    let reasons: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rejection_reasons"].as_array().unwrap())
        .collect();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0]["code"], 7);
    assert_eq!(reasons[0]["reviewer"], reviewers[1].pubkey().to_string());
}

/// The API's connections: read-only (a write is refused), bounded in time, and planning
/// each statement for the values it is given, so that a statement run often with an
/// optional filter (`$1 IS NULL OR mint = $1`) is never switched to a generic plan that
/// cannot use the filter's index. (Whether Postgres would switch depends on the data; on
/// a test's small tables it keeps custom plans anyway, so the setting is read back.)
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn the_api_connections_are_read_only_bounded_and_plan_per_value(pool: PgPool) {
    let reader = Db::connect_reader_with((*pool.connect_options()).clone());
    let mut conn = reader.pool.acquire().await.unwrap();
    for (setting, expected) in [
        ("plan_cache_mode", "force_custom_plan"),
        ("statement_timeout", "5s"),
        ("default_transaction_read_only", "on"),
    ] {
        let value: String = sqlx::query_scalar(&format!("SHOW {setting}"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(value, expected, "{setting}");
    }
    let write = sqlx::query("DELETE FROM checkpoints")
        .execute(&mut *conn)
        .await
        .expect_err("a read-only connection refuses writes");
    assert!(write.to_string().contains("read-only"), "{write}");
}

/// A rollback deletes by bounty from every table that holds one, and a bounty's pages
/// read by it: each such table has an index that starts with `bounty`, or a rollback
/// reads the whole table.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn every_table_with_a_bounty_column_has_an_index_on_it(pool: PgPool) {
    let unindexed: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'bounty' AND NOT a.attisdropped
         WHERE c.relkind = 'r'
           AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum)
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(unindexed.is_empty(), "no index on bounty: {unindexed:?}");
    // The check saw the tables it is about.
    let checked: Vec<String> = sqlx::query_scalar(
        "SELECT c.table_name::text FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = current_schema() AND c.column_name = 'bounty'
           AND t.table_type = 'BASE TABLE'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in [
        "bounties",
        "payouts",
        "fee_awards",
        "fee_claims",
        "bond_movements",
    ] {
        assert!(checked.iter().any(|t| t == table), "{table}: {checked:?}");
    }
}
