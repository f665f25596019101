//! The `databounty` binary driven against the local chain for a whole lifecycle, as a
//! task poster, three contributors and three reviewers would use it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use solana_sdk::pubkey::Pubkey;

struct Cli {
    url: String,
    dir: PathBuf,
}

impl Cli {
    /// Runs `databounty --url URL --keypair <who>.json --json ARGS` and returns (ok, stdout json, stderr).
    async fn run(&self, who: &str, args: &[&str]) -> (bool, Value, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_databounty"));
        command
            .args(["--url", &self.url, "--json", "--keypair"])
            .arg(self.dir.join(format!("{who}.json")))
            .args(args)
            .env_remove("DATABOUNTY_URL")
            .env_remove("DATABOUNTY_KEYPAIR");
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (
            output.status.success(),
            json,
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    }

    async fn ok(&self, who: &str, args: &[&str]) -> Value {
        let (ok, json, stderr) = self.run(who, args).await;
        assert!(ok, "databounty {args:?} as {who} failed: {stderr}");
        json
    }

    /// Runs a command that must fail, and checks that it says `reason`.
    async fn refused(&self, who: &str, args: &[&str], reason: &str) {
        let (ok, _, stderr) = self.run(who, args).await;
        assert!(
            !ok && stderr.contains(reason),
            "databounty {args:?} as {who}: expected {reason:?}, got {stderr}"
        );
    }

    async fn address(&self, who: &str) -> String {
        self.ok(who, &["address"]).await["pubkey"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Gives the SPL Token account `account` of `holder` to `to`, as its holder may;
    /// sent past the CLI, which has no such command.
    async fn give_token_account(&self, holder: &str, account: Pubkey, to: &str) {
        use anchor_spl::token_2022::spl_token_2022::instruction::{set_authority, AuthorityType};
        use solana_sdk::signature::{read_keypair_file, Signer};
        let holder = read_keypair_file(self.dir.join(format!("{holder}.json"))).unwrap();
        let to: Pubkey = to.parse().unwrap();
        let give = set_authority(
            &anchor_spl::token::ID,
            &account,
            Some(&to),
            AuthorityType::AccountOwner,
            &holder.pubkey(),
            &[],
        )
        .unwrap();
        let rpc = solana_client::nonblocking::rpc_client::RpcClient::new(self.url.clone());
        let blockhash = rpc.get_latest_blockhash().await.unwrap();
        let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
            &[give],
            Some(&holder.pubkey()),
            &[&holder],
            blockhash,
        );
        rpc.send_and_confirm_transaction(&tx).await.unwrap();
    }

    /// `replace-reviewer` of `old` by `new` on `bounty`, as the creator, with `flags`.
    async fn replace_reviewer(&self, bounty: &str, old: &str, new: &str, flags: &[&str]) -> Value {
        let mut args = vec!["replace-reviewer", bounty, "--old", old, "--new", new];
        args.extend_from_slice(flags);
        self.ok("creator", &args).await
    }

    async fn addresses<const N: usize>(&self, people: [&str; N]) -> [String; N] {
        let mut addresses = Vec::new();
        for who in people {
            addresses.push(self.address(who).await);
        }
        addresses.try_into().unwrap()
    }

    /// `create` by "creator": 2 tokens per winner, quorum 2 of `reviewers`, deadlines in
    /// one and two hours, funded with 10; `more` adds to that. The bounty's address.
    async fn create(
        &self,
        mint: &str,
        max_winners: &str,
        reviewers: &[String; 3],
        dataset_id: &str,
        more: &[&str],
    ) -> String {
        let [r1, r2, r3] = reviewers;
        let mut args = vec![
            "create",
            "--mint",
            mint,
            "--reward",
            "2",
            "--max-winners",
            max_winners,
            "--quorum",
            "2",
            "--reviewer",
            r1.as_str(),
            "--reviewer",
            r2.as_str(),
            "--reviewer",
            r3.as_str(),
            "--submission-deadline",
            "+1h",
            "--review-deadline",
            "+2h",
            "--dataset-id",
            dataset_id,
            "--fund",
            "10",
        ];
        args.extend(more);
        let created = self.ok("creator", &args).await;
        created["bounty"].as_str().unwrap().to_string()
    }

    async fn balance(&self, mint: &str, who: &str) -> u64 {
        let owner = self.address(who).await;
        self.ok("creator", &["token", "balance", mint, &owner])
            .await["amount"]
            .as_u64()
            .unwrap()
    }
}

/// `attest <submission> <data> --approve`.
fn approve_with<'a>(submission: &'a str, data: &'a Path) -> [&'a str; 4] {
    ["attest", submission, data.to_str().unwrap(), "--approve"]
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The `databounty-localnet` binary on free ports, killed when dropped. It is a
/// separate crate (the CLI does not link the bank); `cargo test --workspace` builds it
/// into the same target directory before any test runs.
struct Chain {
    child: Child,
    url: String,
}

impl Chain {
    fn start() -> Self {
        let binary = Path::new(env!("CARGO_BIN_EXE_databounty")).with_file_name(format!(
            "databounty-localnet{}",
            std::env::consts::EXE_SUFFIX
        ));
        assert!(
            binary.is_file(),
            "{} is missing: `cargo build -p databounty-localnet` (cargo test --workspace builds it)",
            binary.display()
        );
        let mut child = Command::new(binary)
            .args(["--port", "0", "--slot-ms", "50", "--finality-slots", "8"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the local chain starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the local chain prints its URL");
        // Keep reading, so that the chain's later lines never meet a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = line
            .trim()
            .strip_prefix("JSON-RPC on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Self { child, url }
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local chain; for each of `people` a keypair in a temporary folder, with 2 SOL; and a
/// test token (6 decimals) of which "creator" holds 100: (chain, folder, CLI, mint).
async fn start_with(people: &[&str]) -> (Chain, tempfile::TempDir, Cli, String) {
    let chain = Chain::start();
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        url: chain.url.clone(),
        dir: dir.path().to_path_buf(),
    };
    for who in people {
        let path = dir.path().join(format!("{who}.json"));
        cli.ok(who, &["keygen", path.to_str().unwrap()]).await;
        cli.ok(who, &["airdrop", "2"]).await;
    }
    let mint = cli
        .ok("creator", &["token", "create-mint", "--decimals", "6"])
        .await["mint"]
        .as_str()
        .unwrap()
        .to_string();
    cli.ok("creator", &["token", "mint", &mint, "100"]).await;
    (chain, dir, cli, mint)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_whole_bounty_lifecycle_from_the_terminal() {
    let people = [
        "creator", "alice", "bob", "carol", "r1", "r2", "r3", "stranger",
    ];
    let (_chain, dir, cli, mint) = start_with(&people).await;
    let reviewers = cli.addresses(["r1", "r2", "r3"]).await;
    let more = ["--metadata-uri", "ipfs://guidelines"];
    let bounty = cli
        .create(&mint, "3", &reviewers, &"ab".repeat(32), &more)
        .await;
    assert_eq!(cli.balance(&mint, "creator").await, 90_000_000);

    // Three deliveries: two files and a folder.
    let data = dir.path().join("data");
    write(&data.join("alice.jsonl"), "{\"label\": \"cat\"}\n");
    write(&data.join("bob/part1.csv"), "id,label\n1,dog\n");
    write(&data.join("bob/part2.csv"), "id,label\n2,cow\n");
    write(&data.join("carol.txt"), "transcripts\n");
    let submit = |who: &'static str, path: PathBuf| {
        let cli = &cli;
        let bounty = bounty.clone();
        async move {
            cli.ok(who, &["submit", &bounty, path.to_str().unwrap()])
                .await["submission"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let alice = submit("alice", data.join("alice.jsonl")).await;
    let bob = submit("bob", data.join("bob")).await;
    let carol = submit("carol", data.join("carol.txt")).await;

    // Reviewers recompute the hash from what they received.
    let vote = |who: &'static str, submission: String, path: PathBuf, approve: bool| {
        let cli = &cli;
        async move {
            let flag = if approve { "--approve" } else { "--reject" };
            cli.ok(who, &["attest", &submission, path.to_str().unwrap(), flag])
                .await
        }
    };
    vote("r1", alice.clone(), data.join("alice.jsonl"), true).await;
    let accepted = vote("r2", alice.clone(), data.join("alice.jsonl"), true).await;
    assert_eq!(accepted["status"], "Accepted");
    vote("r1", bob.clone(), data.join("bob"), false).await;
    let rejected = vote("r3", bob.clone(), data.join("bob"), false).await;
    assert_eq!(rejected["status"], "Rejected");
    vote("r3", carol.clone(), data.join("carol.txt"), true).await;
    vote("r2", carol.clone(), data.join("carol.txt"), true).await;

    // Wrong data, a stranger's vote, a second payout: each refused with its reason.
    let alice_data = data.join("alice.jsonl");
    cli.refused(
        "r1",
        &approve_with(&carol, &alice_data),
        "does not match submission",
    )
    .await;
    cli.refused(
        "stranger",
        &approve_with(&alice, &alice_data),
        "the signer is not a reviewer of this bounty (NotAReviewer",
    )
    .await;

    // Anyone cranks the payouts.
    cli.ok("stranger", &["release", &alice]).await;
    cli.ok("stranger", &["release", &carol]).await;
    cli.refused(
        "stranger",
        &["release", &alice],
        "the submission is not accepted",
    )
    .await;
    assert_eq!(cli.balance(&mint, "alice").await, 2_000_000);
    assert_eq!(cli.balance(&mint, "carol").await, 2_000_000);
    assert_eq!(cli.balance(&mint, "bob").await, 0);

    let listed = cli.ok("creator", &["list", "submissions", &bounty]).await;
    let statuses: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["Paid", "Rejected", "Paid"]);
    let all = cli.ok("creator", &["list", "bounties"]).await;
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["bounty"] == bounty.as_str()));

    // Wind down: cancel, refund the 6 left, close everything, rent back.
    cli.ok("creator", &["cancel", &bounty]).await;
    let refunded = cli.ok("stranger", &["refund", &bounty]).await;
    assert_eq!(refunded["refunded"], 6_000_000);
    assert_eq!(cli.balance(&mint, "creator").await, 96_000_000);
    for submission in [&alice, &bob, &carol] {
        cli.ok("stranger", &["close-submission", submission]).await;
    }
    let shown = cli.ok("creator", &["show", &bounty]).await;
    assert_eq!(
        (
            shown["funded"].as_u64(),
            shown["released"].as_u64(),
            shown["refunded"].as_u64()
        ),
        (Some(10_000_000), Some(4_000_000), Some(6_000_000))
    );
    cli.ok("creator", &["close", &bounty]).await;
    cli.refused("creator", &["show", &bounty], "does not exist")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        url: "http://127.0.0.1:9".into(),
        dir: dir.path().to_path_buf(),
    };
    cli.refused("nobody", &["address"], "cannot read the keypair")
        .await;
    let path = dir.path().join("me.json");
    cli.ok("me", &["keygen", path.to_str().unwrap()]).await;
    cli.refused("me", &["keygen", path.to_str().unwrap()], "--force")
        .await;
    cli.refused("me", &["show", "not-a-key"], "invalid value 'not-a-key'")
        .await;
    cli.refused("me", &["airdrop", "1"], "airdrop failed").await;
    let file = dir.path().join("x.txt");
    std::fs::write(&file, "x").unwrap();
    let hashed = cli.ok("me", &["hash", file.to_str().unwrap()]).await;
    assert_eq!(
        hashed["content_digest"],
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    );
}

/// The fair-work path (issue 14) from the terminal: a bounty with a review fee and a
/// submission bond, extended (and a shortening refused), a rejection with its reason
/// shown by `show`, fees claimed, a reviewer replaced while a vote of theirs is pending,
/// bonds returned (with a reward, and at the close of an undecided submission) and one
/// forfeited; every token accounted for at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn review_fees_bonds_reasons_extensions_and_replacements_from_the_terminal() {
    let people = [
        "creator", "alice", "bob", "carol", "dave", "r1", "r2", "r3", "r4", "stranger",
    ];
    let (_chain, dir, cli, mint) = start_with(&people).await;
    // Each contributor holds 5 tokens, enough for a bond of 0.5.
    for who in ["alice", "bob", "carol", "dave"] {
        let owner = cli.address(who).await;
        cli.ok("creator", &["token", "mint", &mint, "5", "--to", &owner])
            .await;
    }
    let [r1, r2, r3, r4] = cli.addresses(["r1", "r2", "r3", "r4"]).await;

    // 2 per winner, one winner to begin with; 0.1 per agreeing vote; a bond of 0.5
    // (at least (3 − 2 + 1) × 0.1, so that a junk submission's fees are its own).
    let reviewers = [r1.clone(), r2.clone(), r3.clone()];
    let more = ["--review-fee", "0.1", "--submission-bond", "0.5"];
    let bounty = cli
        .create(&mint, "1", &reviewers, &"cd".repeat(32), &more)
        .await;
    let shown = cli.ok("stranger", &["show", &bounty]).await;
    assert_eq!(shown["review_fee"], 100_000);
    assert_eq!(shown["submission_bond"], 500_000);
    let deadlines = |shown: &Value| {
        (
            shown["submission_deadline"].as_i64().unwrap(),
            shown["review_deadline"].as_i64().unwrap(),
        )
    };
    let (submission_deadline, review_deadline) = deadlines(&shown);

    // Extended: an hour more for each deadline and a second winner. Deadlines never move
    // earlier, and only the creator extends.
    let extended = cli
        .ok(
            "creator",
            &[
                "extend",
                &bounty,
                "--submission-deadline",
                &(submission_deadline + 3600).to_string(),
                "--review-deadline",
                &(review_deadline + 3600).to_string(),
                "--max-winners",
                "2",
            ],
        )
        .await;
    assert_eq!(extended["max_winners"], 2);
    let shown = cli.ok("stranger", &["show", &bounty]).await;
    assert_eq!(
        deadlines(&shown),
        (submission_deadline + 3600, review_deadline + 3600)
    );
    assert_eq!(shown["max_winners"], 2);
    cli.refused(
        "creator",
        &["extend", &bounty, "--submission-deadline", "+30m"],
        "the new submission deadline is earlier than the current one (SubmissionDeadlineShortened",
    )
    .await;
    cli.refused(
        "creator",
        &["extend", &bounty, "--max-winners", "1"],
        "max_winners can only grow (MaxWinnersReduced",
    )
    .await;
    cli.refused("creator", &["extend", &bounty], "--max-winners")
        .await;
    cli.refused(
        "stranger",
        &["extend", &bounty, "--max-winners", "3"],
        "NotCreator",
    )
    .await;

    // Four deliveries, each posting its bond; a contributor without tokens is told why.
    let data = dir.path().join("data");
    for who in ["alice", "bob", "carol", "dave", "stranger"] {
        write(
            &data.join(format!("{who}.jsonl")),
            &format!("{{\"by\": \"{who}\"}}\n"),
        );
    }
    let file = |who: &str| data.join(format!("{who}.jsonl"));
    cli.refused(
        "stranger",
        &["submit", &bounty, file("stranger").to_str().unwrap()],
        "this bounty asks a bond of 0.5 tokens",
    )
    .await;
    let mut submissions = std::collections::HashMap::new();
    for who in ["alice", "bob", "carol", "dave"] {
        let submitted = cli
            .ok(who, &["submit", &bounty, file(who).to_str().unwrap()])
            .await;
        assert_eq!(submitted["bond"], 500_000);
        assert_eq!(cli.balance(&mint, who).await, 4_500_000);
        submissions.insert(who, submitted["submission"].as_str().unwrap().to_string());
    }
    let [alice, bob, carol, dave] =
        ["alice", "bob", "carol", "dave"].map(|w| submissions[w].clone());
    let attest = |who: &'static str, submission: &str, of: &str, extra: &[&str]| {
        let mut args = vec![
            "attest".to_string(),
            submission.to_string(),
            file(of).to_str().unwrap().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let cli = &cli;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            cli.ok(who, &args).await
        }
    };

    // alice: accepted by r1 and r2, who are each owed a fee.
    attest("r1", &alice, "alice", &["--approve"]).await;
    let accepted = attest("r2", &alice, "alice", &["--approve"]).await;
    assert_eq!(accepted["status"], "Accepted");

    // bob: rejected with reasons, the bond forfeited to the bounty.
    cli.refused(
        "r1",
        &[
            "attest",
            &bob,
            file("bob").to_str().unwrap(),
            "--approve",
            "--reason-code",
            "3",
        ],
        "'--approve' cannot be used with '--reason-code",
    )
    .await;
    attest(
        "r1",
        &bob,
        "bob",
        &[
            "--reject",
            "--reason-code",
            "3",
            "--reason-uri",
            "ipfs://why-bob",
        ],
    )
    .await;
    let rejected = attest("r3", &bob, "bob", &["--reject", "--reason-code", "7"]).await;
    assert_eq!(rejected["status"], "Rejected");
    let shown = cli.ok("stranger", &["show", &bob]).await;
    assert_eq!(shown["status"], "Rejected");
    assert_eq!(
        (
            shown["bond"].as_u64(),
            shown["bond_posted"].as_u64(),
            shown["bond_forfeited"].as_u64()
        ),
        (Some(0), Some(500_000), Some(500_000))
    );
    let votes = shown["votes"].as_array().unwrap();
    assert_eq!(votes.len(), 2);
    assert_eq!(
        (
            &votes[0]["reviewer"],
            &votes[0]["reason_code"],
            &votes[0]["reason_uri"]
        ),
        (
            &Value::from(r1.clone()),
            &Value::from(3),
            &Value::from("ipfs://why-bob")
        )
    );
    assert_eq!(
        (
            &votes[1]["index"],
            &votes[1]["reason_code"],
            &votes[1]["reason_uri"]
        ),
        (&Value::from(2), &Value::from(7), &Value::Null)
    );

    // r1 earned two fees (an approval of alice, a rejection of bob); anyone claims them,
    // once.
    cli.refused(
        "stranger",
        &["claim-fee", &bounty],
        "is not a reviewer of bounty",
    )
    .await;
    cli.refused(
        "stranger",
        &["claim-fee", &bounty, "--reviewer", &r1, "--to", &r2],
        "needs the reviewer's signature",
    )
    .await;
    let claimed = cli
        .ok("stranger", &["claim-fee", &bounty, "--reviewer", &r1])
        .await;
    assert_eq!(claimed["amount"], 200_000);
    assert_eq!(cli.balance(&mint, "r1").await, 200_000);
    cli.refused(
        "stranger",
        &["claim-fee", &bounty, "--reviewer", &r1],
        "owes reviewer",
    )
    .await;

    // carol: r3 approves, then is replaced by r4 (r3's fee for bob is paid first, in the
    // same transaction). r3's pending approval stops counting: r2's approval alone is no
    // quorum. r4 joined after carol submitted, so it cannot decide her work; r1's
    // approval makes the quorum.
    attest("r3", &carol, "carol", &["--approve"]).await;
    let replaced = cli.replace_reviewer(&bounty, &r3, &r4, &[]).await;
    assert_eq!(
        (
            &replaced["index"],
            &replaced["generation"],
            &replaced["fees_claimed"]
        ),
        (&Value::from(2), &Value::from(1), &Value::from(100_000))
    );
    assert_eq!(cli.balance(&mint, "r3").await, 100_000);
    let shown = cli.ok("stranger", &["show", &bounty]).await;
    assert_eq!(shown["reviewers"][2], r4.as_str());
    assert_eq!(
        (
            &shown["reviewer_slots"][2]["generation"],
            &shown["reviewer_slots"][2]["fees_owed"]
        ),
        (&Value::from(1), &Value::from(0))
    );
    let shown = cli.ok("stranger", &["show", &carol]).await;
    assert_eq!(shown["votes"][0]["counted"], false);
    let carol_data = file("carol");
    cli.refused("r3", &approve_with(&carol, &carol_data), "NotAReviewer")
        .await;
    cli.refused(
        "creator",
        &["replace-reviewer", &bounty, "--index", "3", "--new", &r3],
        "--index 3: bounty",
    )
    .await;
    cli.refused(
        "creator",
        &["replace-reviewer", &bounty, "--index", "0", "--new", &r2],
        "is already a reviewer",
    )
    .await;
    let still = attest("r2", &carol, "carol", &["--approve"]).await;
    assert_eq!(
        (&still["status"], &still["approvals"]),
        (&Value::from("Pending"), &Value::from(1))
    );
    cli.refused(
        "r4",
        &approve_with(&carol, &carol_data),
        "ReviewerJoinedAfterSubmission",
    )
    .await;
    let accepted = attest("r1", &carol, "carol", &["--approve"]).await;
    assert_eq!(accepted["status"], "Accepted");

    // Releases pay the reward and return the bond: 5 − 0.5 + 2 + 0.5.
    for (who, submission) in [("alice", &alice), ("carol", &carol)] {
        let released = cli.ok("stranger", &["release", submission]).await;
        assert_eq!(released["bond_returned"], 500_000);
        assert_eq!(cli.balance(&mint, who).await, 7_000_000);
    }

    // Both winner slots are taken: dave's submission can no longer win and closes
    // undecided, its bond returned; bob's forfeited bond stays with the bounty.
    let closed = cli.ok("stranger", &["close-submission", &dave]).await;
    assert_eq!(closed["bond_returned"], 500_000);
    assert_eq!(cli.balance(&mint, "dave").await, 5_000_000);
    let closed = cli.ok("stranger", &["close-submission", &bob]).await;
    assert_eq!(closed["bond_returned"], 0);
    assert_eq!(cli.balance(&mint, "bob").await, 4_500_000);
    for submission in [&alice, &carol] {
        cli.ok("stranger", &["close-submission", submission]).await;
    }

    // r2 (alice, carol) is replaced with its fees parked on request; show lists them,
    // and a claim for r2, no longer a reviewer, pays them.
    let stranger = cli.address("stranger").await;
    let parked = cli
        .replace_reviewer(&bounty, &r2, &stranger, &["--park"])
        .await;
    assert_eq!(
        (&parked["fees_claimed"], &parked["fees_parked"]),
        (&Value::from(0), &Value::from(200_000))
    );
    let shown = cli.ok("stranger", &["show", &bounty]).await;
    assert_eq!(
        (
            &shown["parked_fees"][0]["reviewer"],
            &shown["parked_fees"][0]["slot"],
            &shown["parked_fees"][0]["amount"]
        ),
        (
            &Value::from(r2.as_str()),
            &Value::from(1),
            &Value::from(200_000)
        )
    );
    assert_eq!(shown["reviewer_slots"][1]["fees_owed"], 0);

    // r1 (carol's approval) gives its token account away: replace-reviewer sees that no
    // claim can pay it and parks its fee by itself. r1 gets the account back later.
    let r1_account = databounty_sdk::accounts::ata(
        &r1.parse().unwrap(),
        &mint.parse().unwrap(),
        &anchor_spl::token::ID,
    );
    cli.give_token_account("r1", r1_account, &stranger).await;
    let dave_key = cli.address("dave").await;
    let parked = cli.replace_reviewer(&bounty, &r1, &dave_key, &[]).await;
    assert_eq!(
        (&parked["fees_claimed"], &parked["fees_parked"]),
        (&Value::from(0), &Value::from(100_000))
    );
    cli.refused(
        "stranger",
        &["claim-fee", &bounty, "--reviewer", &r1],
        "review_fee_claim failed",
    )
    .await;
    cli.give_token_account("stranger", r1_account, &r1).await;

    // Both parked fees are claimed; the creator gets back what is left: 10 funded + 0.5
    // forfeited − 4 rewards − 0.6 fees.
    for (who, key, expected) in [("r2", &r2, 200_000), ("r1", &r1, 300_000)] {
        cli.ok("stranger", &["claim-fee", &bounty, "--reviewer", key])
            .await;
        assert_eq!(cli.balance(&mint, who).await, expected);
    }
    let shown = cli.ok("stranger", &["show", &bounty]).await;
    assert_eq!(
        [
            "bonds_received",
            "bonds_held",
            "bonds_returned",
            "bonds_forfeited",
            "fees_reserved",
            "fees_paid"
        ]
        .map(|k| shown[k].as_u64().unwrap()),
        [2_000_000, 0, 1_500_000, 500_000, 0, 600_000]
    );
    cli.ok("creator", &["cancel", &bounty]).await;
    let refunded = cli.ok("stranger", &["refund", &bounty]).await;
    assert_eq!(refunded["refunded"], 5_900_000);
    assert_eq!(cli.balance(&mint, "creator").await, 90_000_000 + 5_900_000);
    cli.ok("creator", &["close", &bounty]).await;
}
