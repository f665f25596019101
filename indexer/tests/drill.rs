//! The live indexer under fire: the real binary follows the local chain through a
//! fault-injecting RPC proxy while a workload of several hundred program transactions
//! runs; it is killed with SIGKILL at random points (at least 20 times, sometimes with a
//! second indexer standing by) and now and then stopped with SIGTERM, which must end it
//! cleanly whatever it is doing; it reads in short pages, and the database restarts once
//! mid-run: its own throwaway cluster stopped at once and started again (where no
//! server binaries exist, every connection is terminated instead, and the figures say
//! so). At the end every table must equal what the chain says: each bounty and
//! submission account read back over RPC, and every event of every transaction, nothing
//! lost and nothing twice. The figures go to stderr and to target/drill-figures.txt, so
//! a passing run shows them too.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anchor_lang::AccountDeserialize;
use common::cluster::Cluster;
use common::proxy::{Proxy, FAULTS};
use common::{count, database_url, fund_ix, terms, Chain};
use databounty::instructions::BountyCreateArgs;
use databounty::state::{Bounty, Submission};
use databounty_indexer::decoder::decode;
use databounty_indexer::source::Source;
use databounty_sdk::{instructions as ix, pda};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use solana_commitment_config::CommitmentConfig;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use sqlx::PgPool;

const KILLS: usize = 20;
/// Signatures per listing page: the drill's history is read in many pages.
const PAGE_LIMIT: &str = "5";

struct Indexers {
    rpc: String,
    database: String,
    log: std::path::PathBuf,
    running: Vec<Child>,
    started: usize,
}

/// Whatever happens to the test, no indexer outlives it.
impl Drop for Indexers {
    fn drop(&mut self) {
        for child in &mut self.running {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Indexers {
    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_databounty-indexer"))
            .args(["--rpc-url", &self.rpc, "--database-url", &self.database])
            .args([
                "--http",
                "127.0.0.1:0",
                "--poll-ms",
                "150",
                "--batch-size",
                "5",
            ])
            .args(["--rpc-timeout-secs", "1", "--concurrency", "4"])
            .args(["--page-limit", PAGE_LIMIT])
            // Progress lines say how many pages a pass read.
            .env("RUST_LOG", "warn,databounty_indexer::pipeline=info")
            .env("NO_COLOR", "1")
            // Log lines go to stdout, a fatal error to stderr: both to the log.
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("the indexer binary starts");
        self.running.push(child);
        self.started += 1;
    }

    /// SIGKILL to one indexer, chosen at random.
    fn kill_one(&mut self, rng: &mut StdRng) -> bool {
        if self.running.is_empty() {
            return false;
        }
        let mut child = self.running.remove(rng.gen_range(0..self.running.len()));
        let _ = child.kill();
        let _ = child.wait();
        true
    }

    /// SIGTERM to one indexer, chosen at random, whatever it is doing (reading, writing a
    /// batch, standing by, retrying): it must finish or abandon its batch and exit 0
    /// within a few seconds. Whether it did, if one was running.
    async fn terminate_one(&mut self, rng: &mut StdRng) -> Option<bool> {
        if self.running.is_empty() {
            return None;
        }
        let mut child = self.running.remove(rng.gen_range(0..self.running.len()));
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Some(sent && status.success()),
                Ok(None) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Some(false);
                }
            }
        }
    }

    /// Forgets indexers that exited by themselves (a fatal error); they are counted.
    fn reap(&mut self) -> usize {
        let before = self.running.len();
        self.running
            .retain_mut(|c| matches!(c.try_wait(), Ok(None)));
        before - self.running.len()
    }
}

/// Several hundred program transactions: bounties with a review fee, fundings,
/// submissions, votes that accept and reject (reserving fees), payouts, a cancel with
/// refund, fee claims and closes, and a bounty re-created at the same address. Returns the program transactions sent and whether the bounty
/// was re-created.
async fn workload(chain: &Chain, seed: u64) -> (usize, bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut sent = 0;
    let mut posters = Vec::new();
    for _ in 0..2 {
        let creator = chain.funded().await;
        let (mint, creator_ata, _) = chain.token(&creator).await;
        posters.push((creator, mint, creator_ata));
    }
    let mut reviewers = Vec::new();
    for _ in 0..3 {
        reviewers.push(chain.funded().await);
    }
    let now = chain.chain_time().await;
    let terms = |nonce: u64| BountyCreateArgs {
        dataset_id: [3u8; 32],
        metadata_uri: format!("ipfs://drill/{nonce}"),
        max_winners: 40,
        initial_funding: 5_000_000,
        review_fee: 1_000,
        ..terms(&reviewers, now, nonce, 100_000)
    };
    let mut bounties = Vec::new();
    for (creator, mint, ata) in &posters {
        for nonce in 0..3 {
            chain.create_bounty(creator, mint, *ata, terms(nonce)).await;
            sent += 1;
            bounties.push((
                pda::bounty(&creator.pubkey(), &[3u8; 32], nonce),
                creator,
                *mint,
                *ata,
            ));
        }
    }
    for (bounty, creator, mint, ata) in &bounties {
        let fund = fund_ix(creator, bounty, mint, ata, 1_000_000);
        chain.send(&[fund], creator, &[]).await;
        sent += 1;
    }
    // The first two reviewers accept a submission; its bounty's creator then pays it.
    let accept_and_pay = async |creator: &Keypair,
                                bounty: &Pubkey,
                                mint: &Pubkey,
                                submission: Pubkey,
                                hash: [u8; 32],
                                who: &Keypair| {
        chain
            .approve(&reviewers[..2], bounty, &submission, hash)
            .await;
        let contributor = who.pubkey();
        chain
            .release(creator, bounty, &submission, mint, &contributor)
            .await;
    };
    let mut contributors: Vec<Keypair> = Vec::new();
    for i in 0..70 {
        let who = chain.funded().await;
        let (bounty, creator, mint, _) = &bounties[i % bounties.len()];
        let (submission, hash, _) = chain
            .submit(
                &who,
                bounty,
                format!("labels {i}").as_bytes(),
                Some(format!("ipfs://labels/{i}")),
            )
            .await;
        sent += 1;
        // Most are decided: accepted (then paid) or rejected; some stay pending, but none
        // on the last bounty, which must close to be created again.
        let last = i % bounties.len() == bounties.len() - 1;
        match rng.gen_range(0..if last { 8 } else { 10 }) {
            0..=4 => {
                accept_and_pay(creator, bounty, mint, submission, hash, &who).await;
                sent += 3;
            }
            5..=7 => {
                chain
                    .vote(&reviewers[1], bounty, &submission, hash, true)
                    .await;
                chain
                    .vote(&reviewers[0], bounty, &submission, hash, false)
                    .await;
                chain
                    .vote(&reviewers[2], bounty, &submission, hash, false)
                    .await;
                sent += 3;
            }
            _ => {
                chain
                    .vote(&reviewers[2], bounty, &submission, hash, true)
                    .await;
                sent += 1;
            }
        }
        contributors.push(who);
    }
    // The last bounty: its one accepted and paid submission, then cancel, refund, close
    // everything and create it again at the same address with other terms.
    let (bounty, creator, mint, ata) = &bounties[bounties.len() - 1];
    let who = chain.funded().await;
    let (submission, hash, _) = chain.submit(&who, bounty, b"final", None).await;
    accept_and_pay(creator, bounty, mint, submission, hash, &who).await;
    sent += 4;
    let open: Vec<Pubkey> = {
        let mut all = Vec::new();
        for (i, c) in contributors.iter().enumerate() {
            if i % bounties.len() == bounties.len() - 1 {
                let digest =
                    databounty_sdk::hash::reader_digest(format!("labels {i}").as_bytes(), |_| {})
                        .unwrap();
                let h = databounty_sdk::hash::submission_hash(bounty, &c.pubkey(), &digest);
                all.push((pda::submission(bounty, &c.pubkey(), &h), c.pubkey()));
            }
        }
        all.push((submission, who.pubkey()));
        all.into_iter().map(|(s, _)| s).collect()
    };
    chain.cancel_and_refund(creator, bounty, mint, *ata).await;
    sent += 2;
    for s in &open {
        let account = chain.rpc.get_account(s).await.expect("submission");
        let state = Submission::try_deserialize(&mut account.data.as_slice()).expect("submission");
        assert_ne!(
            state.status,
            databounty::state::SubmissionStatus::Pending,
            "the last bounty has no pending submission"
        );
        chain
            .send(
                &[ix::submission_close(bounty, s, &state.contributor)],
                creator,
                &[],
            )
            .await;
        sent += 1;
    }
    // The reviewers' fees are paid out (anyone may crank a claim), or the bounty cannot close.
    let owed = on_chain::<Bounty>(chain, &bounty.to_string(), "bounty")
        .await
        .expect("the last bounty")
        .fees_owed;
    for (reviewer, _) in reviewers.iter().zip(owed).filter(|(_, fee)| *fee > 0) {
        chain
            .claim_fees(creator, bounty, &reviewer.pubkey(), mint)
            .await;
        sent += 1;
    }
    chain.close_bounty(creator, bounty, mint).await;
    let terms = BountyCreateArgs {
        reward_per_submission: 250_000,
        ..terms(2)
    };
    chain.create_bounty(creator, mint, *ata, terms).await;
    let again = chain.funded().await;
    let (s, h, _) = chain.submit(&again, bounty, b"again", None).await;
    chain.vote(&reviewers[0], bounty, &s, h, true).await;
    chain.vote(&reviewers[2], bounty, &s, h, true).await;
    chain
        .release(creator, bounty, &s, mint, &again.pubkey())
        .await;
    sent += 6;
    (sent, true)
}

/// How the database is restarted mid-run.
enum Restart {
    /// The drill's own cluster, stopped at once and started again.
    Server(Arc<Cluster>),
    /// Every connection terminated (no server binaries here): why.
    Connections(String),
}

/// The account at `address` (a key as stored) as the chain has it now; none once it is
/// gone (closed).
async fn on_chain<T: AccountDeserialize>(chain: &Chain, address: &str, what: &str) -> Option<T> {
    let address: Pubkey = address.parse().expect("key");
    let account = chain.rpc.get_account(&address).await.ok()?;
    Some(T::try_deserialize(&mut account.data.as_slice()).expect(what))
}

/// Writes the figures where a passing run shows them: stderr (not captured by the test
/// harness) and target/drill-figures.txt (scripts/test.sh prints it).
fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(figures_file())
    {
        let _ = writeln!(file, "{line}");
    }
}

fn figures_file() -> std::path::PathBuf {
    // A relative CARGO_TARGET_DIR is the workspace's (where scripts/test.sh runs cargo);
    // the test itself runs in the package's directory.
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var("CARGO_TARGET_DIR")
        .map(|dir| workspace.join(dir))
        .unwrap_or_else(|_| workspace.join("target"))
        .join("drill-figures.txt")
}

/// Pages read beyond the first in a pass, from the indexers' progress lines.
fn pages_beyond_first(log: &str) -> usize {
    log.lines()
        .filter(|l| l.contains("backfill progress"))
        .filter_map(|l| {
            let pages = l
                .split_whitespace()
                .find_map(|w| w.strip_prefix("pages="))?;
            pages.parse::<usize>().ok()
        })
        .filter(|&p| p > 1)
        .count()
}

/// The database the drill restarts: its own cluster, or the test's database.
async fn database(pool: PgPool) -> (PgPool, String, Restart) {
    // Only a machine without server binaries falls back; a cluster that fails to start
    // is a failure of the drill, not a reason to test less.
    if !Cluster::available() {
        let why = "no PostgreSQL server binaries (initdb, pg_ctl)".to_string();
        return (pool.clone(), database_url(&pool), Restart::Connections(why));
    }
    let cluster = Cluster::start().expect("the drill's own PostgreSQL cluster starts");
    let url = cluster.url("postgres");
    let own = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await
        .expect("the drill's cluster");
    databounty_indexer::db::MIGRATOR
        .run(&own)
        .await
        .expect("migrations");
    (own, url, Restart::Server(Arc::new(cluster)))
}

#[sqlx::test(migrator = "databounty_indexer::db::MIGRATOR")]
async fn the_live_indexer_survives_kills_faults_and_a_database_restart(pool: PgPool) {
    let seed: u64 = std::env::var("DRILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let _ = std::fs::remove_file(figures_file());
    let (pool, database, restart) = database(pool).await;
    let chain = Chain::start().await;
    let proxy = Proxy::start(&chain.localnet.url, 150, Duration::from_millis(1_500), seed).await;
    let log = std::env::temp_dir().join(format!("databounty-drill-{}.log", std::process::id()));
    let mut indexers = Indexers {
        rpc: proxy.url.clone(),
        database,
        log: log.clone(),
        running: Vec::new(),
        started: 0,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut kills = 0;
    let mut exits = 0;
    let mut terms = 0;
    let mut unclean_terms = 0;
    let mut restarts = 0;
    let started = Instant::now();

    let driving = async {
        indexers.start();
        let mut done_at = None;
        while kills < KILLS || done_at.is_none() {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(200..1_200))).await;
            exits += indexers.reap();
            if rng.gen_ratio(1, 4) {
                if let Some(clean) = indexers.terminate_one(&mut rng).await {
                    terms += 1;
                    unclean_terms += usize::from(!clean);
                }
            } else if indexers.kill_one(&mut rng) {
                kills += 1;
            }
            // Now and then two indexers at once: one writes, one stands by.
            let wanted = if kills % 4 == 0 { 2 } else { 1 };
            while indexers.running.len() < wanted {
                indexers.start();
            }
            if kills >= KILLS / 2 && restarts == 0 {
                match &restart {
                    Restart::Server(cluster) => {
                        let cluster = cluster.clone();
                        tokio::task::spawn_blocking(move || cluster.restart())
                            .await
                            .expect("restart task")
                            .expect("the database restarts");
                        restarts += 1;
                    }
                    Restart::Connections(_) => {
                        let name = pool
                            .connect_options()
                            .get_database()
                            .unwrap_or_default()
                            .to_string();
                        let killed: i64 = sqlx::query_scalar(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                        )
                        .bind(&name)
                        .fetch_one(&pool)
                        .await
                        .expect("terminate");
                        // Tried again next round if no indexer was connected just now.
                        if killed > 0 {
                            restarts += 1;
                        }
                    }
                }
            }
            if done_at.is_none() && kills >= KILLS && started.elapsed() > Duration::from_secs(600) {
                panic!("the workload did not finish in 10 minutes");
            }
            done_at = done_at
                .or(Some(()).filter(|_| WORKLOAD_DONE.load(std::sync::atomic::Ordering::SeqCst)));
        }
    };
    let working = async {
        let sent = workload(&chain, seed).await;
        WORKLOAD_DONE.store(true, std::sync::atomic::Ordering::SeqCst);
        sent
    };
    let ((), (sent, recreated)) = tokio::join!(driving, working);

    // Faults off; one indexer catches up to the finalized chain.
    chain.wait_finalized().await;
    proxy.set_rate(0);
    exits += indexers.reap();
    while indexers.running.len() > 1 {
        indexers.kill_one(&mut rng);
    }
    if indexers.running.is_empty() {
        indexers.start();
    }
    let direct = chain.source(CommitmentConfig::finalized());
    let listed = direct.new_signatures(None).await.expect("listing");
    let newest = listed.last().expect("transactions").signature.clone();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let at: Option<String> = sqlx::query_scalar("SELECT signature FROM checkpoints")
            .fetch_optional(&pool)
            .await
            .expect("checkpoint");
        if at.as_deref() == Some(newest.as_str()) {
            break;
        }
        if indexers.reap() > 0 {
            exits += 1;
            indexers.start();
        }
        assert!(
            Instant::now() < deadline,
            "the indexer never caught up; see {}",
            log.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // SIGTERM: a clean stop.
    let mut last = indexers.running.pop().expect("running");
    let status = Command::new("kill")
        .args(["-TERM", &last.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = last.wait().expect("exit");
    assert!(exit.success(), "SIGTERM ends the indexer cleanly: {exit:?}");

    // Every event of every transaction, once. Differences are gathered, then the figures
    // printed, then asserted: a failing run shows its figures too.
    let mut expected = BTreeSet::new();
    let mut by_name: BTreeMap<&'static str, i64> = BTreeMap::new();
    for info in listed.iter().filter(|i| !i.failed) {
        let update = direct
            .transaction(&info.signature)
            .await
            .expect("transaction");
        for row in decode(&databounty::ID, update, info.tx_index) {
            *by_name.entry(row.name()).or_default() += 1;
            expected.insert((
                row.signature.clone(),
                row.position.instruction_index,
                row.position.inner_index,
            ));
        }
    }
    let stored: BTreeSet<(String, i16, i16)> =
        sqlx::query_as("SELECT signature, instruction_index, inner_index FROM events")
            .fetch_all(&pool)
            .await
            .expect("events")
            .into_iter()
            .collect();
    let mut wrong: Vec<String> = Vec::new();
    if stored != expected {
        wrong.push(format!(
            "events: {} missing, {} extra",
            expected.difference(&stored).count(),
            stored.difference(&expected).count()
        ));
    }
    let quarantined = count(&pool, "SELECT count(*) FROM quarantine").await;
    if quarantined != 0 {
        wrong.push(format!("{quarantined} quarantined"));
    }
    for (table, event) in [
        ("fundings", "BountyFunded"),
        ("refunds", "BountyRefunded"),
        ("payouts", "SubmissionPaid"),
        ("attestations", "SubmissionAttested"),
        ("fee_claims", "ReviewFeeClaimed"),
    ] {
        let rows = count(&pool, &format!("SELECT count(*) FROM {table}")).await;
        let events = by_name.get(event).copied().unwrap_or(0);
        if rows != events {
            wrong.push(format!("{table}: {rows} rows for {events} events"));
        }
    }
    // A row per reviewer a fee is reserved for: one event, several rows.
    let reservations = count(
        &pool,
        "SELECT count(*) FROM (SELECT DISTINCT signature, instruction_index, inner_index FROM fee_awards) t",
    )
    .await;
    let reserved_events = by_name.get("ReviewFeesReserved").copied().unwrap_or(0);
    if reservations != reserved_events || reserved_events == 0 {
        wrong.push(format!(
            "fee_awards: {reservations} reservations for {reserved_events} events"
        ));
    }
    let incarnations = count(
        &pool,
        "SELECT count(*) FROM (SELECT bounty FROM bounties GROUP BY bounty HAVING count(*) > 1) t",
    )
    .await;

    // Each account as the chain has it now.
    let mut compared = 0;
    let bounties: Vec<BountyRow> = sqlx::query_as(
        "SELECT DISTINCT ON (bounty) bounty, funded::text AS funded, reserved::text AS reserved,
                released::text AS released, refunded::text AS refunded, submissions, pending, accepted, paid,
                open_submission_accounts, status, fees_reserved::text AS fees_reserved, fees_paid::text AS fees_paid
         FROM bounties ORDER BY bounty, incarnation DESC",
    )
    .fetch_all(&pool)
    .await
    .expect("bounties");
    for row in &bounties {
        let chain_has = match on_chain::<Bounty>(&chain, &row.bounty, "bounty").await {
            Some(b) => BountyRow {
                bounty: row.bounty.clone(),
                funded: b.funded.to_string(),
                reserved: b.reserved.to_string(),
                released: b.released.to_string(),
                refunded: b.refunded.to_string(),
                submissions: i64::from(b.submissions),
                pending: i64::from(b.pending),
                accepted: i64::from(b.accepted),
                paid: i64::from(b.paid),
                open_submission_accounts: i64::from(b.open_submission_accounts),
                status: format!("{:?}", b.status),
                fees_reserved: b.fees_reserved.to_string(),
                fees_paid: b.fees_paid.to_string(),
            },
            // Gone from the chain: only its status can be compared.
            None => BountyRow {
                status: "Closed".into(),
                ..row.clone()
            },
        };
        if *row != chain_has {
            wrong.push(format!("bounty {row:?} but the chain has {chain_has:?}"));
        }
        compared += 1;
    }
    let submissions: Vec<SubmissionRow> = sqlx::query_as(
        "SELECT DISTINCT ON (submission) submission, status, approvals, rejections, closed_at
         FROM submissions ORDER BY submission, incarnation DESC",
    )
    .fetch_all(&pool)
    .await
    .expect("submissions");
    for row in &submissions {
        match on_chain::<Submission>(&chain, &row.submission, "submission").await {
            Some(s) => {
                let chain_has = (
                    format!("{:?}", s.status),
                    i16::from(s.approval_count()),
                    i16::from(s.rejection_count()),
                );
                if (row.status.clone(), row.approvals, row.rejections) != chain_has {
                    wrong.push(format!(
                        "submission {} differs: {chain_has:?}",
                        row.submission
                    ));
                }
            }
            None if row.closed_at.is_none() => {
                wrong.push(format!(
                    "submission {} is gone from the chain",
                    row.submission
                ));
            }
            None => {}
        }
        compared += 1;
    }

    let faults = proxy.injected();
    let total_faults: u64 = faults.values().sum();
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let paged = pages_beyond_first(&logged);
    let restarted = match &restart {
        Restart::Server(_) => "server".to_string(),
        Restart::Connections(why) => format!("connections-only ({why})"),
    };
    report(&format!(
        "drill: kills={kills} sigterms={terms} unclean_sigterms={unclean_terms} indexers_started={} fatal_exits={exits} database_restarts={restarts} restart={restarted} \
         faults={total_faults} {faults:?} pages_beyond_first={paged} page_limit={PAGE_LIMIT} recreated_bounty={recreated} \
         transactions={} program_transactions_sent={sent} events={} accounts_compared={compared} mismatches={} seconds={:.0}",
        indexers.started,
        listed.len(),
        expected.len(),
        wrong.len(),
        started.elapsed().as_secs_f64()
    ));
    // Why any indexer stopped by itself (a healthy drill has none).
    for line in logged
        .lines()
        .filter(|l| l.contains("cannot continue") || l.starts_with("Error"))
    {
        report(&format!("drill: fatal exit: {line}"));
    }
    for line in &wrong {
        report(&format!("drill: mismatch: {line}"));
    }
    assert!(wrong.is_empty(), "nothing lost, nothing added: {wrong:#?}");
    assert!(kills >= KILLS);
    assert!(terms >= 3, "SIGTERM sent mid-run several times");
    assert_eq!(
        unclean_terms, 0,
        "SIGTERM mid-run always ends an indexer cleanly"
    );
    assert_eq!(restarts, 1, "the database restarted once");
    assert_eq!(
        exits, 0,
        "no indexer stopped by itself on a recoverable failure"
    );
    for kind in FAULTS {
        assert!(
            faults.get(&kind).copied().unwrap_or(0) > 0,
            "{kind:?} injected"
        );
    }
    assert!(paged >= 3, "the indexers read several pages in a pass");
    assert!(recreated, "the bounty is re-created");
    assert_eq!(
        incarnations, 1,
        "the re-created bounty is a second incarnation"
    );
    assert!(sent >= 200, "several hundred transactions");
    let _ = std::fs::remove_file(&log);
}

#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
struct BountyRow {
    bounty: String,
    funded: String,
    reserved: String,
    released: String,
    refunded: String,
    submissions: i64,
    pending: i64,
    accepted: i64,
    paid: i64,
    open_submission_accounts: i64,
    status: String,
    fees_reserved: String,
    fees_paid: String,
}

#[derive(sqlx::FromRow)]
struct SubmissionRow {
    submission: String,
    status: String,
    approvals: i16,
    rejections: i16,
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
}

static WORKLOAD_DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
