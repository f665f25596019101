//! The indexer against what anyone may write on chain and what a node or database may
//! do: extreme values, rows Postgres refuses, re-created accounts, a node that lost our
//! history, events that arrive late, replies that land again elsewhere, a second writer,
//! a stall, and API misuse. Each test fails if the guard it names is removed.

mod common;

use std::time::Duration;

use common::{
    checkpoint, count, database_url, empty_tables, finalized_lifecycle, garbage_rpc, get_json,
    index, index_finalized, metric, quick_retries, rpc_source, serve, terms, Chain, Fork, Forked,
    Lifecycle, ACCOUNT_TABLES, LEDGER_TABLES, TOTAL_TABLES,
};
use databounty::constants::{SEED_BOUNTY, SEED_VAULT};
use databounty::instructions::BountyCreateArgs;
use databounty_indexer::db::{classify, Db, Failure, Writer};
use databounty_indexer::decoder::{decode, EventRow, Position};
use databounty_indexer::metrics::Metrics;
use databounty_indexer::pipeline::{follow, PipelineConfig, PipelineError, Stop, TxRecord};
use databounty_indexer::source::{Backoff, RpcSource, Source, SourceError};
use databounty_sdk::pda;
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use sqlx::{Connection, PgPool};

fn config() -> PipelineConfig {
    PipelineConfig {
        program_id: databounty::ID,
        source_name: "test".into(),
        concurrency: 4,
        batch_size: 100,
        confirmed: false,
    }
}

fn finalized_source(chain: &Chain) -> RpcSource {
    chain.source(CommitmentConfig::finalized())
}

struct Poster {
    creator: Keypair,
    mint: Pubkey,
    creator_ata: Pubkey,
    reviewers: Vec<Keypair>,
}

async fn poster(chain: &Chain) -> Poster {
    let creator = chain.funded().await;
    let (mint, creator_ata, _) = chain.token(&creator).await;
    let mut reviewers = Vec::new();
    for _ in 0..3 {
        reviewers.push(chain.funded().await);
    }
    Poster {
        creator,
        mint,
        creator_ata,
        reviewers,
    }
}

impl Poster {
    async fn create(&self, chain: &Chain, args: BountyCreateArgs) -> Pubkey {
        let bounty = pda::bounty(&self.creator.pubkey(), &args.dataset_id, args.nonce);
        chain
            .create_bounty(&self.creator, &self.mint, self.creator_ata, args)
            .await;
        bounty
    }
}

/// A local chain that has run the lifecycle, finalized it, and had it indexed.
async fn indexed_lifecycle(pool: &PgPool) -> (Chain, Lifecycle, Db) {
    let (chain, life, db) = finalized_lifecycle(pool).await;
    index_finalized(&chain, &db, &config()).await.unwrap();
    (chain, life, db)
}

/// Empties the log and every state table (the quarantine aside).
async fn empty_state(pool: &PgPool) {
    sqlx::query(
        "TRUNCATE transactions, events, checkpoints, bounties, submissions, attestations, fundings, \
         payouts, refunds, fee_awards, fee_claims, bond_movements, contributor_totals, \
         reviewer_totals, bounty_quorum, dataset_totals",
    )
    .execute(pool)
    .await
    .unwrap();
}

/// Item 1: deadlines near i64::MAX and URIs with NUL and right-to-left marks,
/// all accepted by the program, are stored: raw integers and bytes exactly, timestamps
/// NULL where Postgres has none, text with NUL shown as U+FFFD.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn values_the_program_accepts_are_stored_faithfully(pool: PgPool) {
    let chain = Chain::start().await;
    let poster = poster(&chain).await;
    let now = chain.chain_time().await;
    let uri = "ipfs://a\0b\u{202E}cba";
    let bounty = poster
        .create(
            &chain,
            BountyCreateArgs {
                metadata_uri: uri.into(),
                // The review window is bounded, the submission deadline is not.
                submission_deadline: i64::MAX - 1_000,
                review_deadline: i64::MAX,
                ..terms(&poster.reviewers, now, 0, 1_000)
            },
        )
        .await;
    let who = chain.funded().await;
    let (submission, _, _) = chain
        .submit(&who, &bounty, b"labels", Some("s3://x\0y".into()))
        .await;
    chain.wait_finalized().await;
    let db = Db::from_pool(pool.clone());
    index_finalized(&chain, &db, &config())
        .await
        .expect("stored, not refused");

    let (deadline, timestamp, raw, text): (i64, Option<chrono::DateTime<chrono::Utc>>, Vec<u8>, String) =
        sqlx::query_as(
            "SELECT review_deadline_unix, coalesce(review_deadline, submission_deadline), metadata_uri_raw, metadata_uri
             FROM bounties WHERE bounty = $1",
        )
        .bind(bounty.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(deadline, i64::MAX);
    assert_eq!(timestamp, None, "Postgres has no such timestamp");
    assert_eq!(raw, uri.as_bytes());
    assert_eq!(text, "ipfs://a\u{FFFD}b\u{202E}cba");
    let (raw, text): (Vec<u8>, String) =
        sqlx::query_as("SELECT uri_raw, uri FROM submissions WHERE submission = $1")
            .bind(submission.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(raw, b"s3://x\0y");
    assert_eq!(text, "s3://x\u{FFFD}y");
    let json_deadline: String = sqlx::query_scalar(
        "SELECT data->>'review_deadline' FROM events WHERE name = 'BountyCreated'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(json_deadline, i64::MAX.to_string());
}

/// Item 2: a transaction whose rows Postgres refuses (here a constraint an operator
/// added) is quarantined with its signature, raw events and error; every other
/// transaction of the batch is written, the checkpoint passes it, and the next pass does
/// not try it again.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_refused_transaction_is_quarantined_and_the_rest_written(pool: PgPool) {
    sqlx::query(
        "ALTER TABLE submissions ADD CONSTRAINT no_refuse_me CHECK (uri NOT LIKE '%refuse-me%')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let chain = Chain::start().await;
    let poster = poster(&chain).await;
    let now = chain.chain_time().await;
    let bounty = poster
        .create(&chain, terms(&poster.reviewers, now, 0, 1_000))
        .await;
    let mut refused = None;
    for (i, uri) in ["ok://1", "https://refuse-me", "ok://3"].iter().enumerate() {
        let who = chain.funded().await;
        let content = format!("content {i}");
        let (_, _, signature) = chain
            .submit(&who, &bounty, content.as_bytes(), Some(uri.to_string()))
            .await;
        if uri.contains("refuse-me") {
            refused = Some(signature.to_string());
        }
    }
    let last = chain.funded().await;
    let (_, _, last_signature) = chain.submit(&last, &bounty, b"last", None).await;
    chain.wait_finalized().await;
    let db = Db::from_pool(pool.clone());
    let metrics = Metrics::default();
    index(&finalized_source(&chain), &db, &config(), &metrics)
        .await
        .expect("the pass goes on");

    let refused = refused.unwrap();
    let (signature, sqlstate, events): (String, Option<String>, i32) =
        sqlx::query_as("SELECT signature, sqlstate, cardinality(raw_events) FROM quarantine")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(signature, refused);
    assert_eq!(sqlstate.as_deref(), Some("23514"));
    assert_eq!(events, 1, "its SubmissionCreated event is kept raw");
    assert_eq!(count(&pool, "SELECT count(*) FROM submissions").await, 3);
    assert_eq!(
        metric(
            &metrics,
            "databounty_indexer_quarantined_transactions_total"
        ),
        Some(1)
    );
    assert_eq!(
        checkpoint(&pool).await.unwrap().signature,
        last_signature.to_string()
    );
    let again = Metrics::default();
    index(&finalized_source(&chain), &db, &config(), &again)
        .await
        .unwrap();
    assert_eq!(
        metric(&again, "databounty_indexer_quarantined_transactions_total"),
        Some(0)
    );
}

/// Item 3: a bounty closed and created again at the same address, and a submission hash
/// registered again in it, are second incarnations: both sets of terms, votes and
/// payouts are kept and the contributor's earnings count both payouts.
/// Item 2: errors as Postgres really sends them are sorted as the issue asks — a row it
/// refuses (data exception, constraint) is the data's fault and is quarantined; a
/// serialization failure, a statement timeout or a refused connection is the moment's and
/// retried; anything else (a table gone) is fatal.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn database_errors_are_sorted_as_refused_transient_or_fatal(pool: PgPool) {
    async fn failure(pool: &PgPool, sql: &str) -> Failure {
        // A connection of its own: a SET must not reach the pool's other users.
        let mut conn = pool.acquire().await.unwrap().detach();
        let err = sqlx::raw_sql(sql).execute(&mut conn).await.expect_err(sql);
        classify(&err)
    }
    let sorted = [
        ("SELECT 1 / 0", Failure::Refused),
        ("SELECT 'x'::int", Failure::Refused),
        (
            "CREATE TEMP TABLE t (k int PRIMARY KEY); INSERT INTO t VALUES (1), (1)",
            Failure::Refused,
        ),
        (
            "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$",
            Failure::Transient,
        ),
        (
            "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; END $$",
            Failure::Transient,
        ),
        (
            "SET statement_timeout = 10; SELECT pg_sleep(1)",
            Failure::Transient,
        ),
        ("SELECT * FROM no_such_table", Failure::Fatal),
    ];
    for (sql, expected) in sorted {
        assert_eq!(failure(&pool, sql).await, expected, "{sql}");
    }
    let refused = sqlx::PgConnection::connect("postgres://root@127.0.0.1:1/none")
        .await
        .expect_err("nothing listens on port 1");
    assert_eq!(classify(&refused), Failure::Transient);
}

/// Item 2: a deterministic database failure (a table gone) stops the live loop with its
/// error at once, instead of retrying it forever.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_fatal_database_error_stops_the_live_loop(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    sqlx::query("ALTER TABLE events RENAME TO events_elsewhere")
        .execute(&pool)
        .await
        .unwrap();
    let metrics = Metrics::default();
    let source = finalized_source(&chain);
    let config = config();
    let (_stop, looping) = live_loop(&source, &db, &config, &metrics);
    let result = tokio::time::timeout(Duration::from_secs(30), looping)
        .await
        .expect("the loop stops by itself");
    let err = result.expect_err("a fatal error ends the loop");
    assert!(err.is_fatal(), "{err}");
    assert!(err.to_string().contains("events"), "{err}");
}

#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_recreated_bounty_and_submission_are_new_incarnations(pool: PgPool) {
    let chain = Chain::start().await;
    let poster = poster(&chain).await;
    let alice = chain.funded().await;
    let mut bounty = Pubkey::default();
    let mut submission = Pubkey::default();
    for reward in [1_000_000u64, 3_000_000] {
        let now = chain.chain_time().await;
        bounty = poster
            .create(&chain, terms(&poster.reviewers, now, 0, reward))
            .await;
        let (s, hash, _) = chain.submit(&alice, &bounty, b"same labels", None).await;
        submission = s;
        chain
            .approve(&poster.reviewers[..2], &bounty, &s, hash)
            .await;
        chain
            .release(&poster.creator, &bounty, &s, &poster.mint, &alice.pubkey())
            .await;
        if reward == 1_000_000 {
            let c = &poster.creator;
            chain
                .cancel_and_refund(c, &bounty, &poster.mint, poster.creator_ata)
                .await;
            let close =
                databounty_sdk::instructions::submission_close(&bounty, &s, &alice.pubkey());
            chain.send(&[close], c, &[]).await;
            chain.close_bounty(c, &bounty, &poster.mint).await;
        }
    }
    chain.wait_finalized().await;
    let db = Db::from_pool(pool.clone());
    for batch_size in [1, 1_000] {
        empty_tables(&pool).await;
        let config = PipelineConfig {
            batch_size,
            ..config()
        };
        index_finalized(&chain, &db, &config).await.unwrap();
        let bounties: Vec<(i32, String, String, String)> = sqlx::query_as(
            "SELECT incarnation, reward_per_submission::text, status, released::text FROM bounties
             WHERE bounty = $1 ORDER BY incarnation",
        )
        .bind(bounty.to_string())
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            bounties,
            [
                (1, "1000000".into(), "Closed".into(), "1000000".into()),
                (2, "3000000".into(), "Open".into(), "3000000".into()),
            ],
            "batch size {batch_size}"
        );
        let submissions: Vec<(i32, i32, String)> = sqlx::query_as(
            "SELECT incarnation, bounty_incarnation, status FROM submissions WHERE submission = $1 ORDER BY incarnation",
        )
        .bind(submission.to_string())
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(submissions, [(1, 1, "Paid".into()), (2, 2, "Paid".into())]);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM attestations").await,
            4,
            "both incarnations' votes"
        );
        let earned: String = sqlx::query_scalar(
            "SELECT earned::text FROM contributor_earnings WHERE contributor = $1",
        )
        .bind(alice.pubkey().to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(earned, "4000000", "both payouts count");
    }
}

/// Item 5: a node that does not know the checkpoint's transaction (here: another chain,
/// as after a switch of provider) stops the indexer with a gap error and a metric;
/// nothing is skipped and nothing written.
/// `ix`, built by the SDK for the canonical deployment, addressed to the deployment at
/// `program_id` instead: the program, its event authority and the bounty and vault PDAs
/// moved to their addresses under that id. Returns the bounty's address there.
fn for_deployment(
    ix: &mut Instruction,
    program_id: Pubkey,
    creator: &Pubkey,
    args: &BountyCreateArgs,
) -> Pubkey {
    let nonce = args.nonce.to_le_bytes();
    let seeds: [&[u8]; 4] = [SEED_BOUNTY, creator.as_ref(), &args.dataset_id, &nonce];
    let bounty = Pubkey::find_program_address(&seeds, &program_id).0;
    let vault = Pubkey::find_program_address(&[SEED_VAULT, bounty.as_ref()], &program_id).0;
    let canonical_bounty = pda::bounty(creator, &args.dataset_id, args.nonce);
    let moved = [
        (databounty::ID, program_id),
        (pda::event_authority(), pda::event_authority_of(&program_id)),
        (canonical_bounty, bounty),
        (pda::vault(&canonical_bounty), vault),
    ];
    ix.program_id = program_id;
    for meta in &mut ix.accounts {
        if let Some((_, to)) = moved.iter().find(|(from, _)| *from == meta.pubkey) {
            meta.pubkey = *to;
        }
    }
    bounty
}

/// Item 4: the local chain loads the program a second time, at another address. An
/// indexer given that id (`--program-id`) finds the deployment's events — their event
/// authority derived from the id — and one at the canonical id finds none of them.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn events_of_a_deployment_at_another_id_are_indexed(pool: PgPool) {
    let second = databounty_localnet::SECOND_DEPLOYMENT_ID;
    assert_ne!(second, databounty::ID);
    let chain = Chain::start().await;
    let poster = poster(&chain).await;
    let creator = poster.creator.pubkey();
    let args = terms(&poster.reviewers, chain.chain_time().await, 0, 1_000_000);
    let mut create = databounty_sdk::instructions::bounty_create(
        &creator,
        &creator,
        &poster.mint,
        &anchor_spl::token::ID,
        Some(poster.creator_ata),
        args.clone(),
    );
    let bounty = for_deployment(&mut create, second, &creator, &args);
    chain.send(&[create], &poster.creator, &[]).await;
    let account = chain
        .rpc
        .get_account(&bounty)
        .await
        .expect("the bounty exists");
    assert_eq!(account.owner, second, "created by the second deployment");
    chain.wait_finalized().await;

    let db = Db::from_pool(pool.clone());
    let at = |program_id| PipelineConfig {
        program_id,
        ..config()
    };
    let canonical = finalized_source(&chain);
    index(&canonical, &db, &at(databounty::ID), &Metrics::default())
        .await
        .unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM events").await, 0);

    empty_tables(&pool).await;
    let source = RpcSource::new(
        &chain.localnet.url,
        second,
        CommitmentConfig::finalized(),
        Metrics::default(),
    );
    index(&source, &db, &at(second), &Metrics::default())
        .await
        .unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM events ORDER BY slot, pos")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, ["BountyCreated", "BountyFunded"]);
    let funded: i64 = sqlx::query_scalar("SELECT funded::bigint FROM bounties WHERE bounty = $1")
        .bind(bounty.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        funded > 0,
        "the second deployment's bounty is in the state tables, funded"
    );
}

#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_checkpoint_missing_from_the_nodes_history_is_a_gap(pool: PgPool) {
    let (first, _, db) = finalized_lifecycle(&pool).await;
    index_finalized(&first, &db, &config()).await.unwrap();
    let before = count(&pool, "SELECT count(*) FROM events").await;
    let stored = checkpoint(&pool).await.unwrap();

    let other = Chain::start().await;
    other.run_lifecycle().await;
    other.wait_finalized().await;
    // The other node has finalized past the checkpoint's slot, so it should know it.
    while other
        .rpc
        .get_slot_with_commitment(CommitmentConfig::finalized())
        .await
        .unwrap()
        < stored.slot
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let metrics = Metrics::default();
    let err = index(&finalized_source(&other), &db, &config(), &metrics)
        .await
        .expect_err("a gap");
    assert!(matches!(&err, PipelineError::Gap { signature, .. } if *signature == stored.signature));
    assert!(err.is_fatal(), "retrying cannot fill a gap");
    assert_eq!(
        metric(&metrics, "databounty_indexer_history_gaps_total"),
        Some(1)
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM events").await, before);
    assert_eq!(checkpoint(&pool).await, Some(stored));
}

/// Builds the transaction records the pipeline would write for everything on `chain`.
async fn records(source: &RpcSource) -> Vec<TxRecord> {
    let listed = source.new_signatures(None).await.unwrap();
    let mut out = Vec::new();
    for info in listed {
        let rows = if info.failed {
            vec![]
        } else {
            let update = source.transaction(&info.signature).await.unwrap();
            decode(&databounty::ID, update, info.tx_index)
        };
        out.push(TxRecord::new(info, rows, None));
    }
    out
}

async fn state_snapshot(pool: &PgPool) -> Vec<String> {
    let mut out = Vec::new();
    let tables = ACCOUNT_TABLES.into_iter().chain(LEDGER_TABLES);
    for table in tables.chain(TOTAL_TABLES) {
        let sql = format!(
            "SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM {table} t"
        );
        out.push(
            sqlx::query_scalar::<_, String>(&sql)
                .fetch_one(pool)
                .await
                .unwrap(),
        );
    }
    out
}

/// Item 6: events written out of chain order (the newest transaction first) end in the
/// same state as in order: an older event never overwrites newer state.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn events_arriving_late_do_not_overwrite_newer_state(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    let all = records(&finalized_source(&chain)).await;
    let mut writer = Writer::try_acquire(&db, "test").await.unwrap().unwrap();
    writer.write(&all, u64::MAX).await.unwrap();
    let in_order = state_snapshot(&pool).await;
    assert!(in_order[0].contains("Cancelled"));

    empty_state(&pool).await;
    for record in all.iter().rev() {
        writer
            .write(std::slice::from_ref(record), u64::MAX)
            .await
            .unwrap();
    }
    assert_eq!(state_snapshot(&pool).await, in_order);
}

/// Item 8: a batch of 10,000 events is one write (array parameters; no bind limit).
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_batch_of_ten_thousand_events_is_written(pool: PgPool) {
    let bounty = Pubkey::new_unique();
    let txs: Vec<TxRecord> = (0..10_000u64).map(|i| funding_record(bounty, i)).collect();
    let db = Db::from_pool(pool.clone());
    let mut writer = Writer::try_acquire(&db, "test").await.unwrap().unwrap();
    let written = writer.write(&txs, u64::MAX).await.unwrap();
    assert_eq!(written.new_events, 10_000);
    assert_eq!(count(&pool, "SELECT count(*) FROM fundings").await, 10_000);
}

/// Transaction `sig<i>` at slot 10 + i: one `BountyFunded` of `i` tokens to `bounty`.
fn funding_record(bounty: Pubkey, i: u64) -> TxRecord {
    let event = databounty::events::BountyFunded {
        bounty,
        funder: Pubkey::new_unique(),
        mint: Pubkey::new_unique(),
        requested: i,
        received: i,
        funded: i,
        vault_balance: i,
        funded_at: 1_700_000_000,
    };
    let mut raw = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    raw.extend(anchor_lang::Event::data(&event));
    TxRecord {
        signature: format!("sig{i:05}"),
        slot: 10 + i,
        tx_index: 0,
        failed: false,
        block_time: None,
        rows: vec![EventRow {
            signature: format!("sig{i:05}"),
            position: Position {
                slot: 10 + i,
                ..Position::default()
            },
            block_time: None,
            raw,
            event: Ok(databounty_sdk::events::DatabountyEvent::BountyFunded(event)),
        }],
        unreadable: None,
    }
}

/// A transaction quarantined at `confirmed` is recorded as final only if its slot is,
/// so that reconciliation still removes it when its fork is dropped.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_quarantined_transaction_is_final_only_when_it_is(pool: PgPool) {
    sqlx::query("ALTER TABLE events ADD CONSTRAINT refuse_one CHECK (signature <> 'sig00002')")
        .execute(&pool)
        .await
        .unwrap();
    let bounty = Pubkey::new_unique();
    let txs: Vec<TxRecord> = (1..=3u64).map(|i| funding_record(bounty, i)).collect();
    let db = Db::from_pool(pool.clone());
    let mut writer = Writer::try_acquire(&db, "test").await.unwrap().unwrap();
    // Slots 11, 12 and 13; final up to 11.
    let written = writer.write(&txs, 11).await.unwrap();
    assert_eq!(written.quarantined, 1);
    let finality: Vec<(String, bool)> =
        sqlx::query_as("SELECT signature, finalized FROM transactions ORDER BY signature")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected = [("sig00001", true), ("sig00002", false), ("sig00003", false)];
    assert_eq!(finality, expected.map(|(s, f)| (s.to_string(), f)).to_vec());
}

/// Item 8: one writer per source; a second waits and takes over when the first's
/// session ends.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_second_writer_stands_by_until_the_first_is_gone(pool: PgPool) {
    let db = Db::from_pool(pool.clone());
    let first = Writer::try_acquire(&db, "test")
        .await
        .unwrap()
        .expect("free");
    assert!(Writer::try_acquire(&db, "test").await.unwrap().is_none());
    assert!(
        Writer::try_acquire(&db, "another source")
            .await
            .unwrap()
            .is_some(),
        "the lock is per source"
    );
    let standby = tokio::spawn({
        let db = db.clone();
        async move { Writer::acquire(&db, "test", Duration::from_millis(50)).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!standby.is_finished(), "stands by while the first writes");
    drop(first);
    let taken = tokio::time::timeout(Duration::from_secs(5), standby)
        .await
        .expect("takes over within seconds");
    assert!(taken.unwrap().is_ok());
}

/// Item 7: at `confirmed`, a transaction the node now reports in another slot has its
/// rows removed and read again at the new slot; nothing else is lost.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_relanded_transaction_is_read_again(pool: PgPool) {
    let chain = Chain::start().await;
    let life = chain.run_lifecycle().await;
    let moved = life.signatures[5].to_string();
    let confirmed = chain.source(CommitmentConfig::confirmed());
    let source = Forked::new(&confirmed, moved.clone(), Fork::Relanded);
    let db = Db::from_pool(pool.clone());
    let config = PipelineConfig {
        confirmed: true,
        ..config()
    };
    index(&source, &db, &config, &Metrics::default())
        .await
        .unwrap();
    let events = count(&pool, "SELECT count(*) FROM events").await;
    let slot_before: i64 = sqlx::query_scalar("SELECT slot FROM transactions WHERE signature = $1")
        .bind(&moved)
        .fetch_one(&pool)
        .await
        .unwrap();
    chain.wait_finalized().await;
    index(&source, &db, &config, &Metrics::default())
        .await
        .unwrap();
    let slots: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT slot FROM events WHERE signature = $1")
            .bind(&moved)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(slots, [slot_before + 1]);
    assert_eq!(count(&pool, "SELECT count(*) FROM events").await, events);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM events WHERE NOT finalized").await,
        0
    );
}

/// The live loop over `source`, polling every 100 ms, and what stops it.
fn live_loop<'a, S: Source>(
    source: &'a S,
    db: &'a Db,
    config: &'a PipelineConfig,
    metrics: &'a Metrics,
) -> (
    tokio::sync::watch::Sender<bool>,
    impl std::future::Future<Output = Result<(), PipelineError>> + 'a,
) {
    let (stop_tx, stop) = Stop::new();
    let poll = Duration::from_millis(100);
    (stop_tx, follow(source, db, config, metrics, poll, stop))
}

/// A node that answers only garbage, the API over `pool` (stalled after a second
/// without progress), and a source reading that node with `backoff`.
async fn against_a_garbage_node(
    pool: &PgPool,
    backoff: Backoff,
) -> (Db, Metrics, String, RpcSource) {
    let garbage_url = garbage_rpc("<html>502</html>").await;
    let db = Db::from_pool(pool.clone());
    let metrics = Metrics::default();
    let url = serve(&db, &metrics, Duration::from_secs(1)).await;
    let source = rpc_source(&garbage_url, CommitmentConfig::finalized(), metrics.clone())
        .with_backoff(backoff);
    (db, metrics, url, source)
}

/// A pass that keeps retrying a failing node never fails, yet it makes no progress:
/// `/health` turns 503 and says which call fails and why while it retries, not only
/// after the pass gives up.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_stall_while_retrying_says_why(pool: PgPool) {
    let (db, metrics, url, retrying) = against_a_garbage_node(
        &pool,
        Backoff {
            attempts: u32::MAX,
            base: Duration::from_millis(20),
            max: Duration::from_millis(50),
        },
    )
    .await;
    let config = config();
    let (stop_tx, looping) = live_loop(&retrying, &db, &config, &metrics);
    let checks = async {
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        let health = reqwest::get(format!("{url}/health")).await.unwrap();
        let status = health.status();
        let body: Value = health.json().await.unwrap();
        stop_tx.send(true).unwrap();
        (status, body)
    };
    // The stop comes while a call is being retried: it must not wait for the retries.
    let (result, (status, body)) = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(looping, checks)
    })
    .await
    .expect("stops promptly");
    assert!(result.is_ok(), "a stop is not an error");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "stalled");
    let why = body["last_error"].as_str().unwrap_or_default();
    assert!(why.contains("failed, retrying"), "{body}");
    assert_eq!(
        metric(&metrics, "databounty_indexer_failed_passes_total"),
        Some(0),
        "the pass was still retrying"
    );
    // Stopped, the writer has ended its session: the lock is free for a standby.
    // (The server ends a closed session a moment after the client is done with it.)
    // This database's only: other tests' indexers hold locks in theirs meanwhile.
    let locks = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    let mut held = count(&pool, locks).await;
    for _ in 0..20 {
        if held == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        held = count(&pool, locks).await;
    }
    assert_eq!(held, 0, "the writer lock outlived the stop");
}

/// The indexer binary's log (stdout and stderr) over `pool`'s database and the node at
/// `rpc`, once it says `until` (if given) or exits, within a minute; and how it exited,
/// if it did.
async fn indexer_log(
    pool: &PgPool,
    rpc: &str,
    until: Option<&str>,
) -> (String, Option<std::process::ExitStatus>) {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let log_path = std::env::temp_dir().join(format!(
        "databounty-redact-{}-{run}.log",
        std::process::id()
    ));
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut indexer = std::process::Command::new(env!("CARGO_BIN_EXE_databounty-indexer"))
        .args(["--rpc-url", rpc, "--database-url", &database_url(pool)])
        .args(["--http", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .expect("the indexer binary starts");
    let mut exited = None;
    for _ in 0..600 {
        exited = indexer.try_wait().unwrap();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if exited.is_some() || until.is_some_and(|text| log.contains(text)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = indexer.kill();
    let _ = indexer.wait();
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let _ = std::fs::remove_file(&log_path);
    (log, exited)
}

/// An RPC URL's key (in its path or its query) never reaches the operator: not in the
/// start-up line, a retry warning (a node that does not answer), the fatal exit (a node
/// that refuses the key, 401), nor in `--help` with the URLs set in the environment.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn the_log_never_shows_the_rpc_key(pool: PgPool) {
    let keys = "/v2/PATHKEY?api-key=QUERYKEY";
    // Nothing listens on port 1: every call fails with an error that names the URL.
    let dead = format!("http://127.0.0.1:1{keys}");
    let (log, _) = indexer_log(&pool, &dead, Some("retrying")).await;
    assert!(log.contains("RPC call failed; retrying"), "{log}");
    assert!(
        log.contains("http://127.0.0.1:1/…"),
        "the host is shown: {log}"
    );
    // A 401 is not retried: the pass fails for good and the process exits with why.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let refusing = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(|| async { (axum::http::StatusCode::UNAUTHORIZED, "unknown key") });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (fatal, exited) = indexer_log(&pool, &format!("{refusing}{keys}"), None).await;
    assert!(exited.is_some_and(|e| !e.success()), "{fatal}");
    assert!(fatal.contains("401"), "{fatal}");
    assert!(fatal.contains(&format!("{refusing}/…")), "{fatal}");
    for secret in ["PATHKEY", "QUERYKEY"] {
        assert!(!log.contains(secret), "{log}");
        assert!(!fatal.contains(secret), "{fatal}");
    }

    let help = std::process::Command::new(env!("CARGO_BIN_EXE_databounty-indexer"))
        .arg("--help")
        .env("RPC_URL", &dead)
        .env("DATABASE_URL", "postgres://user:DBSECRET@db.example.com/x")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("RPC_URL"), "{help}");
    for secret in ["PATHKEY", "QUERYKEY", "DBSECRET"] {
        assert!(!help.contains(secret), "{help}");
    }
}

/// Item 9: the live loop against a node that only answers garbage fails its passes,
/// counts them, and `/health` turns 503 with the error once stalled; against the real
/// chain the same loop indexes, reports the indexed slot and the head, answers 200, and
/// stops when asked.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn the_live_loop_reports_a_stall_and_recovers(pool: PgPool) {
    let (db, metrics, url, broken) = against_a_garbage_node(
        &pool,
        Backoff {
            attempts: 1,
            ..Backoff::default()
        },
    )
    .await;
    let config = config();
    let (stop_tx, looping) = live_loop(&broken, &db, &config, &metrics);
    let checks = async {
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        let health = reqwest::get(format!("{url}/health")).await.unwrap();
        assert_eq!(health.status(), 503);
        let body: Value = health.json().await.unwrap();
        assert_eq!(body["status"], "stalled");
        assert!(
            body["last_error"].as_str().unwrap().contains("RPC"),
            "{body}"
        );
        assert!(metric(&metrics, "databounty_indexer_failed_passes_total").is_some_and(|n| n > 0));
        stop_tx.send(true).unwrap();
    };
    let (result, ()) = tokio::join!(looping, checks);
    assert!(result.is_ok(), "a stop is not an error");

    let chain = Chain::start().await;
    chain.run_lifecycle().await;
    chain.wait_finalized().await;
    let healthy = rpc_source(
        &chain.localnet.url,
        CommitmentConfig::finalized(),
        metrics.clone(),
    );
    let (stop_tx, looping) = live_loop(&healthy, &db, &config, &metrics);
    let checks = async {
        let mut body = Value::Null;
        for _ in 0..100 {
            let reply = reqwest::get(format!("{url}/health")).await.unwrap();
            if reply.status() == 200 {
                body = reply.json().await.unwrap();
                if body["status"] == "ok" && body["indexed_slot"].as_u64() > Some(0) {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The chain goes on making slots with no program transaction in them: the head
        // moves away from the indexed slot, and each pass still succeeds.
        tokio::time::sleep(Duration::from_millis(800)).await;
        let later = get_json(&format!("{url}/health")).await;
        let finalized = chain
            .rpc
            .get_slot_with_commitment(CommitmentConfig::finalized())
            .await
            .unwrap();
        stop_tx.send(true).unwrap();
        (body, later, finalized)
    };
    let (result, (body, later, finalized)) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(looping, checks)
    })
    .await
    .expect("stops promptly");
    result.unwrap();
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["role"], "writer");
    assert!(body["indexed_slot"].as_u64().unwrap() > 0);
    assert!(count(&pool, "SELECT count(*) FROM events").await > 0);
    // The head is the node's, and the indexed slot follows the chain read through, not
    // the last program transaction: a quiet program is not a lagging indexer.
    let slot = |v: &Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
    assert!(
        slot(&later, "head_slot") > slot(&body, "head_slot"),
        "{body} then {later}"
    );
    assert!(
        slot(&later, "head_slot") <= finalized,
        "the head is the node's, {finalized}"
    );
    let last_program_slot = count(&pool, "SELECT max(slot) FROM transactions").await;
    assert!(
        slot(&later, "indexed_slot") > u64::try_from(last_program_slot).unwrap(),
        "{later}: read through slots without program transactions"
    );
    assert_eq!(
        slot(&later, "lag_slots"),
        slot(&later, "head_slot") - slot(&later, "indexed_slot")
    );
    assert!(
        slot(&later, "last_success_ms") > slot(&body, "last_success_ms"),
        "passes keep succeeding: {body} then {later}"
    );
}

/// Item 10: malformed parameters and keys are 400 with a JSON body, an unknown bounty
/// 404, a failing query 500, an unreachable database 503; pages never overlap.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn api_errors_have_the_right_status(pool: PgPool) {
    let (_chain, _, db) = indexed_lifecycle(&pool).await;
    let url = serve(&db, &Metrics::default(), Duration::from_secs(60)).await;
    let get = |path: &str| {
        let url = format!("{url}{path}");
        async move { reqwest::get(url).await.unwrap() }
    };
    for (path, status) in [
        ("/bounties?limit=abc", 400),
        ("/bounties?limit=0", 400),
        ("/bounties?limit=501", 400),
        ("/bounties?offset=-1", 400),
        ("/bounties?offset=1001", 400),
        ("/contributors/earnings?offset=10001", 400),
        ("/bounties?after=x", 400),
        ("/bounties?after=1.x", 400),
        ("/bounties?after=z.key.1", 400),
        ("/bounties?after=1.key.1&offset=1", 400),
        // Forged cursors are refused before they reach Postgres: a NUL byte, a part that
        // is no address, an integer beyond its column.
        ("/bounties?after=1.%00.1", 400),
        (
            "/bounties?after=1.11111111111111111111111111111111.99999999999",
            400,
        ),
        ("/contributors/earnings?after=1", 400),
        ("/bounties/not-a-key", 400),
        ("/bounties/not-a-key/submissions", 400),
        (&format!("/bounties/{}", Pubkey::new_unique()), 404),
        (
            &format!("/bounties/{}/submissions", Pubkey::new_unique()),
            404,
        ),
        ("/no-such-endpoint", 404),
    ] {
        let reply = get(path).await;
        assert_eq!(reply.status(), status, "{path}");
        let body: Value = reply.json().await.expect("a JSON body");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    // Offsets stop at 1,000 where a cursor pages deeper; the summaries, which have no
    // cursor, take them to 10,000.
    assert_eq!(get("/bounties?offset=1000").await.status(), 200);
    assert_eq!(
        get("/contributors/earnings?offset=10000").await.status(),
        200
    );
    let first: Value = get("/bounties?limit=1").await.json().await.unwrap();
    let second: Value = get("/bounties?limit=1&offset=1")
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(first["items"][0]["bounty"], second["items"][0]["bounty"]);

    sqlx::query("DROP VIEW reviewer_agreement")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(get("/reviewers/agreement").await.status(), 500);
    pool.close().await;
    assert_eq!(get("/bounties").await.status(), 503);

    // A browser page on any origin may read the data: a simple GET carries the header,
    // and a preflight is answered, for GETs only. The operator's endpoints are not open.
    let client = reqwest::Client::new();
    let cors = client
        .get(format!("{url}/health"))
        .header("Origin", "https://dapp.example")
        .send()
        .await
        .unwrap();
    assert!(
        !cors.headers().contains_key("access-control-allow-origin"),
        "the operator's /health is not for web pages"
    );
    let cors = client
        .get(format!("{url}/bounties"))
        .header("Origin", "https://dapp.example")
        .send()
        .await
        .unwrap();
    assert_eq!(cors.headers()["access-control-allow-origin"], "*");
    let preflight = client
        .request(reqwest::Method::OPTIONS, format!("{url}/bounties"))
        .header("Origin", "https://dapp.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let allowed = preflight.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(allowed, "GET");
    // A client that adds a header to its GET (a JSON content type) is let through.
    let with_header = client
        .request(reqwest::Method::OPTIONS, format!("{url}/bounties"))
        .header("Origin", "https://dapp.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(with_header.status().is_success());
    assert!(with_header
        .headers()
        .contains_key("access-control-allow-headers"));

    // The API's own pool connects on demand: started while the database is down, it
    // serves 503s until the database is back, instead of failing to start.
    let down = Db::connect_reader("postgres://root@127.0.0.1:1/none").unwrap();
    let down_url = serve(&down, &Metrics::default(), Duration::from_secs(60)).await;
    let reply = reqwest::get(format!("{down_url}/bounties")).await.unwrap();
    assert_eq!(reply.status(), 503);
}

/// How the mangling proxy spoils `getTransaction` replies.
#[derive(Clone, Copy)]
enum Spoil {
    Null,
    NoInnerInstructions,
    NoMeta,
    EmptyInnerInstructions,
    /// Every inner-instruction group twice: not an error, but nothing may count twice.
    RepeatedGroups,
}

/// Forwards JSON-RPC to `upstream`, spoiling every `getTransaction` reply.
async fn spoiling_proxy(upstream: String, spoil: Spoil) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let client = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |body: String| {
        let (client, upstream) = (client.clone(), upstream.clone());
        async move {
            let request: Value = serde_json::from_str(&body).unwrap_or_default();
            let mut reply: Value = client
                .post(&upstream)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if request["method"] == "getTransaction" && !reply["result"].is_null() {
                let meta = &mut reply["result"]["meta"];
                match spoil {
                    Spoil::Null => reply["result"] = Value::Null,
                    Spoil::NoInnerInstructions => meta["innerInstructions"] = Value::Null,
                    Spoil::NoMeta => reply["result"]["meta"] = Value::Null,
                    Spoil::EmptyInnerInstructions => {
                        meta["innerInstructions"] = serde_json::json!([])
                    }
                    Spoil::RepeatedGroups => {
                        if let Some(groups) = meta["innerInstructions"].as_array_mut() {
                            let copy = groups.clone();
                            groups.extend(copy);
                        }
                    }
                }
            }
            axum::Json(reply)
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Item 5: a listed transaction the node answers `null` for, or returns without its
/// status or the inner instructions its events are in, is retried, then reported (an
/// error and a metric) — never written as a transaction without events.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_null_or_stripped_transaction_is_retried_then_reported(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    for spoil in [
        Spoil::Null,
        Spoil::NoInnerInstructions,
        Spoil::NoMeta,
        Spoil::EmptyInnerInstructions,
    ] {
        let url = spoiling_proxy(chain.localnet.url.clone(), spoil).await;
        let metrics = Metrics::default();
        let source = rpc_source(&url, CommitmentConfig::finalized(), metrics.clone())
            .with_backoff(quick_retries());
        let err = index(&source, &db, &config(), &metrics)
            .await
            .expect_err("reported, not skipped");
        assert!(
            matches!(err, PipelineError::Source(SourceError::Missing { .. })),
            "{err}"
        );
        assert!(!err.is_fatal(), "retried by the live loop");
        // Each fetch in flight when the first one gave up may have given up too.
        assert!(
            metric(&metrics, "databounty_indexer_missing_transactions_total")
                .is_some_and(|n| n >= 1),
            "counted"
        );
        assert_eq!(count(&pool, "SELECT count(*) FROM events").await, 0);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM transactions WHERE NOT failed").await,
            0,
            "no transaction is recorded as read"
        );
    }
    index_finalized(&chain, &db, &config()).await.unwrap();
    assert!(count(&pool, "SELECT count(*) FROM events").await > 0);
}

/// A reply that repeats its inner-instruction groups indexes exactly like a clean one:
/// an event key seen twice is applied once.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn repeated_inner_instruction_groups_count_once(pool: PgPool) {
    let (chain, _, db) = indexed_lifecycle(&pool).await;
    let clean = state_snapshot(&pool).await;
    empty_state(&pool).await;
    let url = spoiling_proxy(chain.localnet.url.clone(), Spoil::RepeatedGroups).await;
    let repeated = rpc_source(&url, CommitmentConfig::finalized(), Metrics::default());
    index(&repeated, &db, &config(), &Metrics::default())
        .await
        .unwrap();
    assert_eq!(state_snapshot(&pool).await, clean);
}

/// The query parameter that asks for the page after `cursor`, if there is one.
fn after_param(cursor: Option<&str>) -> String {
    cursor.map(|c| format!("&after={c}")).unwrap_or_default()
}

/// The change feed returns every event once, in chain order, with its finality, page
/// by page through its cursors; list filters by mint and time; a contributor's payouts.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn the_change_feed_and_filters(pool: PgPool) {
    let (_chain, life, db) = indexed_lifecycle(&pool).await;
    let url = serve(&db, &Metrics::default(), Duration::from_secs(60)).await;
    let get = |path: String| {
        let url = format!("{url}{path}");
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let mut seen: Vec<(String, i64, i64)> = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let after = after_param(next.as_deref());
        let page = get(format!("/events?limit=4{after}")).await;
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        for item in items {
            assert_eq!(item["finalized"], true);
            seen.push((
                item["signature"].as_str().unwrap().into(),
                item["instruction_index"].as_i64().unwrap(),
                item["inner_index"].as_i64().unwrap(),
            ));
        }
        next = page["next"].as_str().map(str::to_string);
    }
    let expected: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT signature, instruction_index::int8, inner_index::int8 FROM events ORDER BY slot, pos",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(seen, expected, "every event once, in chain order");

    // Every long list walked by cursor, one row a page, equals the list in one page.
    let walk = |path: String| {
        let get = &get;
        async move {
            let mut items = Vec::new();
            let mut next: Option<String> = None;
            let sep = if path.contains('?') { '&' } else { '?' };
            loop {
                let after = after_param(next.as_deref());
                let page = get(format!("{path}{sep}limit=1{after}")).await;
                let page_items = page["items"].as_array().unwrap().clone();
                if page_items.is_empty() {
                    assert!(page["next"].is_null(), "an empty page has no next");
                    return items;
                }
                next = Some(page["next"].as_str().expect("a cursor").to_string());
                items.extend(page_items);
            }
        }
    };
    let bounty = life.bounty;
    let contributor = life.contributors[0].pubkey();
    let mint = life.mint;
    for path in [
        "/bounties".to_string(),
        format!("/bounties/{bounty}/submissions"),
        format!("/contributors/{contributor}/payouts"),
        // Filtered lists page by the same cursors.
        format!("/bounties?mint={mint}"),
        format!("/bounties/{bounty}/submissions?created_before=4102444800"),
        format!("/contributors/{contributor}/payouts?mint={mint}&paid_after=0"),
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let whole = get(format!("{path}{sep}limit=500")).await;
        let walked = walk(path.clone()).await;
        assert!(!walked.is_empty(), "{path}");
        assert_eq!(&walked, whole["items"].as_array().unwrap(), "{path}");
    }
    let by_mint = get(format!("/bounties?mint={}&limit=1", life.mint)).await;
    let rest = get(format!(
        "/bounties?mint={}&limit=5&after={}",
        life.mint,
        by_mint["next"].as_str().unwrap()
    ))
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_ne!(rest["items"][0]["bounty"], by_mint["items"][0]["bounty"]);

    let mint = get(format!("/bounties?mint={}", life.mint)).await;
    assert_eq!(mint["items"].as_array().unwrap().len(), 2);
    let other = get(format!("/bounties?mint={}", Pubkey::new_unique())).await;
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    let later = get("/bounties?created_after=4102444800".into()).await;
    assert_eq!(later["items"].as_array().unwrap().len(), 0);
    // Times no timestamp can hold compare as the ends of time, never as an error.
    let never = get("/bounties?created_after=99999999999999999".into()).await;
    assert_eq!(never["items"].as_array().unwrap().len(), 0, "{never}");
    let ever = get("/bounties?created_after=-99999999999999999".into()).await;
    assert_eq!(ever["items"].as_array().unwrap().len(), 2, "{ever}");
    let payouts = get(format!(
        "/contributors/{}/payouts",
        life.contributors[0].pubkey()
    ))
    .await;
    assert_eq!(payouts["items"][0]["amount"], life.reward.to_string());

    // A contributor's payouts by their bounty's mint and by when they were paid; a
    // bounty's submissions by when they were made.
    let payouts_path = format!("/contributors/{contributor}/payouts");
    let all_payouts = &payouts["items"];
    let count = |page: &serde_json::Value| page["items"].as_array().unwrap().len();
    let same_mint = get(format!("{payouts_path}?mint={}", life.mint)).await;
    assert_eq!(&same_mint["items"], all_payouts, "{same_mint}");
    let other_mint = get(format!("{payouts_path}?mint={}", Pubkey::new_unique())).await;
    assert_eq!(count(&other_mint), 0);
    assert_eq!(
        count(&get(format!("{payouts_path}?paid_after=4102444800")).await),
        0
    );
    assert_eq!(
        count(&get(format!("{payouts_path}?paid_before=0")).await),
        0
    );
    let ever = get(format!(
        "{payouts_path}?paid_after=-99999999999999999&paid_before=99999999999999999"
    ))
    .await;
    assert_eq!(&ever["items"], all_payouts, "{ever}");
    let submissions_path = format!("/bounties/{bounty}/submissions");
    let all_submissions = get(submissions_path.clone()).await;
    assert!(count(&all_submissions) > 0);
    assert_eq!(
        count(&get(format!("{submissions_path}?created_after=4102444800")).await),
        0
    );
    assert_eq!(
        get(format!(
            "{submissions_path}?created_after=-99999999999999999"
        ))
        .await["items"],
        all_submissions["items"]
    );
    // Totals are per mint, and the summaries of them take the mint too.
    for summary in [
        "/contributors/earnings",
        "/reviewers/agreement",
        "/datasets/funding",
    ] {
        let all = get(summary.to_string()).await;
        let one = get(format!("{summary}?mint={}", life.mint)).await;
        assert!(count(&one) > 0, "{summary}: {one}");
        let of_mint = |page: &serde_json::Value| -> Vec<serde_json::Value> {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|item| item["mint"] == life.mint.to_string())
                .cloned()
                .collect()
        };
        assert_eq!(
            one["items"].as_array().unwrap(),
            &of_mint(&all),
            "{summary}"
        );
        let other = get(format!("{summary}?mint={}", Pubkey::new_unique())).await;
        assert_eq!(count(&other), 0, "{summary}: {other}");
    }
    for (path, status) in [
        (format!("{payouts_path}?mint=not-a-key"), 400),
        ("/contributors/earnings?mint=not-a-key".to_string(), 400),
        ("/reviewers/agreement?mint=not-a-key".to_string(), 400),
        ("/time-to-quorum?created_after=0".to_string(), 400),
        // A misspelt or unknown parameter is refused: it must not return the whole list.
        ("/bounties?created_since=0".to_string(), 400),
        ("/contributors/earnings?limt=5".to_string(), 400),
        (format!("/bounties/{bounty}?mint={}", life.mint), 400),
        ("/events?since=0".to_string(), 400),
        (format!("{payouts_path}?paid_after=soon"), 400),
        (format!("{submissions_path}?created_before=x"), 400),
        // A filter the list does not take is refused, not ignored.
        ("/bounties?paid_after=0".to_string(), 400),
        (format!("{submissions_path}?mint={}", life.mint), 400),
        (format!("{payouts_path}?created_after=0"), 400),
        (
            format!(
                "/bounties/{}/submissions?created_after=0",
                Pubkey::new_unique()
            ),
            404,
        ),
    ] {
        let reply = reqwest::get(format!("{url}{path}")).await.unwrap();
        assert_eq!(reply.status(), status, "{path}");
    }
    let bad = reqwest::get(format!("{url}/events?after=x.y"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

/// Pages of the listing as a lagging node or a proxy that cuts replies gives them: the
/// first `cuts` pages fetched after planning come back emptied or one short.
struct CutPages<'a> {
    inner: &'a RpcSource,
    cuts: usize,
    fetched: std::sync::atomic::AtomicUsize,
}

impl Source for CutPages<'_> {
    async fn listing_plan(
        &self,
        after: Option<&databounty_indexer::db::Checkpoint>,
    ) -> Result<databounty_indexer::source::ListingPlan, SourceError> {
        self.inner.listing_plan(after).await
    }
    async fn listing_page(
        &self,
        before: &str,
        after: Option<&databounty_indexer::db::Checkpoint>,
    ) -> Result<Vec<databounty_indexer::source::SignatureInfo>, SourceError> {
        let nth = self
            .fetched
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut page = self.inner.listing_page(before, after).await?;
        if nth < self.cuts {
            // Alternately empty and one short.
            page.truncate(if nth.is_multiple_of(2) {
                0
            } else {
                page.len().saturating_sub(1)
            });
        }
        Ok(page)
    }
    async fn new_signatures(
        &self,
        after: Option<&databounty_indexer::db::Checkpoint>,
    ) -> Result<Vec<databounty_indexer::source::SignatureInfo>, SourceError> {
        self.inner.new_signatures(after).await
    }
    async fn transaction(
        &self,
        signature: &str,
    ) -> Result<databounty_indexer::decoder::TransactionUpdate, SourceError> {
        self.inner.transaction(signature).await
    }
    async fn slots(&self) -> Result<(u64, u64), SourceError> {
        self.inner.slots().await
    }
    async fn statuses(
        &self,
        signatures: &[String],
    ) -> Result<Vec<Option<databounty_indexer::source::TxStatus>>, SourceError> {
        self.inner.statuses(signatures).await
    }
    async fn block_check(
        &self,
        slot: u64,
        signature: &str,
    ) -> Result<databounty_indexer::source::BlockCheck, SourceError> {
        self.inner.block_check(slot, signature).await
    }
}

/// A page that was full when planned but comes back empty, then one that comes back
/// short: each is retried and the pass ends with every transaction written, none
/// skipped, each contradiction counted.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_page_that_comes_back_short_is_retried_not_skipped(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    let paged = finalized_source(&chain).with_page_limit(2);
    let listed = paged.new_signatures(None).await.unwrap();
    let source = CutPages {
        inner: &paged,
        cuts: 2,
        fetched: Default::default(),
    };
    let metrics = Metrics::default();
    index(&source, &db, &config(), &metrics).await.unwrap();
    assert_eq!(
        count(&pool, "SELECT count(*) FROM transactions").await,
        i64::try_from(listed.len()).unwrap(),
        "every listed transaction is written"
    );
    assert_eq!(
        checkpoint(&pool).await.map(|c| c.signature),
        listed.last().map(|s| s.signature.clone())
    );
    assert_eq!(
        metric(&metrics, "databounty_indexer_contradicted_pages_total"),
        Some(2)
    );
}

/// A page that stays short fails the pass (transient: the live loop tries again) after
/// its retries, and the checkpoint does not move past it.
#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn a_page_that_stays_short_fails_the_pass(pool: PgPool) {
    let (chain, _, db) = finalized_lifecycle(&pool).await;
    let paged = finalized_source(&chain).with_page_limit(2);
    let source = CutPages {
        inner: &paged,
        cuts: usize::MAX,
        fetched: Default::default(),
    };
    let metrics = Metrics::default();
    let err = index(&source, &db, &config(), &metrics)
        .await
        .expect_err("a page that contradicts the plan is not taken");
    assert!(!err.is_fatal(), "{err}");
    assert!(err.to_string().contains("were planned"), "{err}");
    // The oldest page is the one cut: nothing after it is written.
    assert_eq!(count(&pool, "SELECT count(*) FROM transactions").await, 0);
    assert!(checkpoint(&pool).await.is_none());
    assert!(
        metric(&metrics, "databounty_indexer_contradicted_pages_total").unwrap_or(0) >= 4,
        "{}",
        metrics.render()
    );
}
