//! One function per CLI command. Each returns an [`Output`]: a line or two for people,
//! and the same facts as JSON for scripts.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use databounty::instructions::BountyCreateArgs;
use databounty::state::{Bounty, Submission};
use databounty_sdk::amount;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::hash::{content_digest, content_size, hex, parse_hex32, submission_hash};
use databounty_sdk::{instructions as ix, pda};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_client::rpc_config::RpcTransactionConfig;
use solana_sdk::signature::{write_keypair_file, Keypair, Signer};
use solana_transaction_status_client_types::UiTransactionEncoding;

use crate::client::{explain, Client};
use crate::tokens;

/// What a command prints.
pub struct Output {
    pub text: String,
    pub json: Value,
}

impl Output {
    pub fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&self.json).unwrap_or_default()
            );
        } else {
            println!("{}", self.text);
        }
    }
}

pub async fn localnet(port: u16, slot_ms: u64, finality_slots: u64) -> Result<()> {
    let config = databounty_localnet::LocalnetConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        slot_time: Duration::from_millis(slot_ms.max(10)),
        finality_slots,
    };
    let chain = databounty_localnet::Localnet::start(config)
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    println!("databounty local chain: JSON-RPC on {}", chain.url);
    println!(
        "program {} (native), SPL Token, Token-2022, Associated Token Account",
        databounty::ID
    );
    println!(
        "slots every {slot_ms} ms, finalized after {finality_slots} slots; state is in memory only"
    );
    tokio::select! {
        _ = chain.wait() => {}
        _ = tokio::signal::ctrl_c() => println!("stopping"),
    }
    Ok(())
}

pub fn keygen(outfile: &Path, force: bool) -> Result<Output> {
    if outfile.exists() && !force {
        bail!("{} exists; pass --force to overwrite it", outfile.display());
    }
    if let Some(parent) = outfile.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let key = Keypair::new();
    write_keypair_file(&key, outfile)
        .map_err(|e| anyhow!("cannot write {}: {e}", outfile.display()))?;
    Ok(Output {
        text: format!("wrote {} ({})", outfile.display(), key.pubkey()),
        json: json!({ "pubkey": key.pubkey().to_string(), "path": outfile }),
    })
}

pub fn address(settings: &crate::config::Settings) -> Result<Output> {
    let key = settings.keypair()?.pubkey();
    Ok(Output {
        text: key.to_string(),
        json: json!({ "pubkey": key.to_string() }),
    })
}

pub async fn airdrop(client: &Client, sol: f64, to: Option<Pubkey>) -> Result<Output> {
    if !(sol.is_finite() && sol > 0.0) {
        bail!("the amount must be a positive number of SOL");
    }
    let to = match to {
        Some(to) => to,
        None => client.settings.keypair()?.pubkey(),
    };
    let lamports = (sol * 1e9).round() as u64;
    let signature = client
        .rpc
        .request_airdrop(&to, lamports)
        .await
        .map_err(|e| anyhow!("airdrop failed: {}", explain(&e)))?;
    for _ in 0..120 {
        if client
            .rpc
            .confirm_transaction(&signature)
            .await
            .unwrap_or(false)
        {
            return Ok(Output {
                text: format!("airdropped {sol} SOL to {to}"),
                json: json!({ "to": to.to_string(), "lamports": lamports, "signature": signature.to_string() }),
            });
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bail!("airdrop {signature} was not confirmed in 30 s")
}

/// Parses a deadline: unix seconds, RFC 3339, or "+<duration>" from the chain's clock.
fn parse_deadline(text: &str, chain_now: i64) -> Result<i64> {
    if let Some(relative) = text.strip_prefix('+') {
        let duration =
            humantime::parse_duration(relative).map_err(|e| anyhow!("deadline {text:?}: {e}"))?;
        let seconds = i64::try_from(duration.as_secs())
            .map_err(|_| anyhow!("deadline {text:?} is too far"))?;
        return chain_now
            .checked_add(seconds)
            .ok_or_else(|| anyhow!("deadline {text:?} is too far"));
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    let time = humantime::parse_rfc3339_weak(text)
        .map_err(|_| anyhow!("deadline {text:?}: use unix seconds, RFC 3339 (2026-12-01T00:00:00Z) or +duration (+2h)"))?;
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| anyhow!("deadline {text:?} is before 1970"))?
        .as_secs();
    i64::try_from(seconds).map_err(|_| anyhow!("deadline {text:?} is too far"))
}

fn format_time(unix: i64) -> String {
    u64::try_from(unix)
        .ok()
        .map(|s| humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(s)).to_string())
        .unwrap_or_else(|| unix.to_string())
}

#[derive(Args)]
pub struct CreateArgs {
    /// The reward token's mint (SPL Token or Token-2022)
    #[arg(long)]
    mint: Pubkey,
    /// Reward per accepted submission, in tokens (e.g. 2.5)
    #[arg(long)]
    reward: String,
    #[arg(long)]
    max_winners: u32,
    /// A reviewer's address; repeat for each
    #[arg(long = "reviewer", required = true)]
    reviewers: Vec<Pubkey>,
    /// Approvals needed to accept
    #[arg(long)]
    quorum: u8,
    /// Unix seconds, RFC 3339, or +duration from now (chain time), e.g. +7d
    #[arg(long)]
    submission_deadline: String,
    #[arg(long)]
    review_deadline: String,
    /// 64 hex digits, or a file whose SHA-256 identifies the dataset (e.g. its manifest)
    #[arg(long)]
    dataset_id: String,
    #[arg(long, default_value_t = 0)]
    nonce: u64,
    /// Task description and labelling guidelines (≤ 200 bytes)
    #[arg(long, default_value = "")]
    metadata_uri: String,
    /// Tokens to deposit now, from the keypair's associated token account
    #[arg(long, default_value = "0")]
    fund: String,
    /// Accept a mint whose permanent delegate could move escrowed tokens
    #[arg(long)]
    allow_permanent_delegate: bool,
}

fn dataset_id(text: &str) -> Result<[u8; 32]> {
    if let Some(id) = parse_hex32(text) {
        return Ok(id);
    }
    let path = PathBuf::from(text);
    if path.exists() {
        return content_digest(&path, |_| {})
            .with_context(|| format!("hashing {}", path.display()));
    }
    bail!("--dataset-id must be 64 hex digits or an existing file or folder")
}

pub async fn create(client: &Client, args: CreateArgs) -> Result<Output> {
    let creator = client.settings.keypair()?;
    let mint = client.mint(&args.mint).await?;
    let now = client.chain_time().await?;
    let reward = amount::parse(&args.reward, mint.decimals)?;
    let fund = amount::parse(&args.fund, mint.decimals)?;
    let create_args = BountyCreateArgs {
        dataset_id: dataset_id(&args.dataset_id)?,
        nonce: args.nonce,
        metadata_uri: args.metadata_uri,
        reward_per_submission: reward,
        max_winners: args.max_winners,
        reviewers: args.reviewers,
        quorum: args.quorum,
        submission_deadline: parse_deadline(&args.submission_deadline, now)?,
        review_deadline: parse_deadline(&args.review_deadline, now)?,
        allow_permanent_delegate: args.allow_permanent_delegate,
        initial_funding: fund,
    };
    let bounty = pda::bounty(
        &creator.pubkey(),
        &create_args.dataset_id,
        create_args.nonce,
    );
    if client
        .account(&bounty)
        .await?
        .is_some_and(|a| a.owner == databounty::ID)
    {
        bail!("bounty {bounty} already exists for this creator, dataset and nonce; pick another --nonce");
    }
    let source =
        (fund > 0).then(|| tokens::ata(&creator.pubkey(), &args.mint, &mint.token_program));
    let instruction = ix::bounty_create(
        &creator.pubkey(),
        &creator.pubkey(),
        &args.mint,
        &mint.token_program,
        source,
        create_args,
    );
    let signature = client.send("bounty_create", &[instruction], &[]).await?;
    Ok(Output {
        text: format!(
            "created bounty {bounty}\n  vault {}\n  funded {} tokens\n  signature {signature}",
            pda::vault(&bounty),
            amount::format(fund, mint.decimals)
        ),
        json: json!({ "bounty": bounty.to_string(), "vault": pda::vault(&bounty).to_string(), "signature": signature.to_string() }),
    })
}

pub async fn fund(
    client: &Client,
    bounty_address: Pubkey,
    text: &str,
    from: Option<Pubkey>,
) -> Result<Output> {
    let funder = client.settings.keypair()?;
    let bounty = client.bounty(&bounty_address).await?;
    let mint = client.mint(&bounty.mint).await?;
    let amount = amount::parse(text, mint.decimals)?;
    let from =
        from.unwrap_or_else(|| tokens::ata(&funder.pubkey(), &bounty.mint, &mint.token_program));
    let instruction = ix::bounty_fund(
        &funder.pubkey(),
        &bounty_address,
        &bounty.mint,
        &mint.token_program,
        &from,
        amount,
    );
    let signature = client.send("bounty_fund", &[instruction], &[]).await?;
    let after = client.bounty(&bounty_address).await?;
    Ok(Output {
        text: format!(
            "funded {bounty_address}: sent {}, bounty now holds {} ({} reserved)",
            amount::format(amount, mint.decimals),
            amount::format(
                after
                    .funded
                    .saturating_sub(after.released)
                    .saturating_sub(after.refunded),
                mint.decimals
            ),
            amount::format(after.reserved, mint.decimals),
        ),
        json: json!({ "bounty": bounty_address.to_string(), "sent": amount, "funded": after.funded, "signature": signature.to_string() }),
    })
}

/// The content digest of `path`, with a progress bar on a terminal for large data.
fn digest_with_progress(path: &Path, quiet: bool) -> Result<[u8; 32]> {
    let total = content_size(path).with_context(|| format!("reading {}", path.display()))?;
    let bar = if quiet || total < 8 << 20 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(
        ProgressStyle::with_template("hashing {bar:40} {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let digest = content_digest(path, |n| bar.inc(n))
        .with_context(|| format!("hashing {}", path.display()))?;
    bar.finish_and_clear();
    Ok(digest)
}

pub fn hash(
    path: &Path,
    bounty: Option<Pubkey>,
    contributor: Option<Pubkey>,
    json: bool,
) -> Result<Output> {
    let digest = digest_with_progress(path, json)?;
    let hash = bounty
        .zip(contributor)
        .map(|(b, c)| submission_hash(&b, &c, &digest));
    let mut text = format!("content digest {}", hex(&digest));
    if let Some(hash) = hash {
        text.push_str(&format!("\nsubmission hash {}", hex(&hash)));
    }
    Ok(Output {
        text,
        json: json!({ "content_digest": hex(&digest), "submission_hash": hash.map(|h| hex(&h)) }),
    })
}

pub async fn submit(
    client: &Client,
    bounty: Pubkey,
    path: &Path,
    uri: Option<String>,
    json: bool,
) -> Result<Output> {
    let contributor = client.settings.keypair()?;
    client.bounty(&bounty).await?;
    let digest = digest_with_progress(path, json)?;
    let hash = submission_hash(&bounty, &contributor.pubkey(), &digest);
    let submission = pda::submission(&bounty, &hash);
    let instruction = ix::submission_create(&contributor.pubkey(), &bounty, hash, uri);
    let signature = client
        .send("submission_create", &[instruction], &[])
        .await?;
    Ok(Output {
        text: format!(
            "submitted {submission}\n  hash {}\n  content digest {}\n  signature {signature}",
            hex(&hash),
            hex(&digest)
        ),
        json: json!({
            "submission": submission.to_string(),
            "hash": hex(&hash),
            "content_digest": hex(&digest),
            "signature": signature.to_string(),
        }),
    })
}

pub async fn attest(
    client: &Client,
    address: Pubkey,
    path: &Path,
    approve: bool,
    json: bool,
) -> Result<Output> {
    let reviewer = client.settings.keypair()?;
    let submission = client.submission(&address).await?;
    let digest = digest_with_progress(path, json)?;
    let hash = submission_hash(&submission.bounty, &submission.contributor, &digest);
    if hash != submission.hash {
        bail!(
            "the data at {} does not match submission {address}: it hashes to {}, the contributor registered {}",
            path.display(),
            hex(&hash),
            hex(&submission.hash)
        );
    }
    let instruction = ix::submission_attest(
        &reviewer.pubkey(),
        &submission.bounty,
        &address,
        hash,
        approve,
    );
    let signature = client
        .send("submission_attest", &[instruction], &[])
        .await?;
    let after = client.submission(&address).await?;
    Ok(Output {
        text: format!(
            "{} {address}: {} approvals, {} rejections, now {:?}",
            if approve { "approved" } else { "rejected" },
            after.approval_count(),
            after.rejection_count(),
            after.status
        ),
        json: json!({
            "submission": address.to_string(),
            "approve": approve,
            "approvals": after.approval_count(),
            "rejections": after.rejection_count(),
            "status": format!("{:?}", after.status),
            "signature": signature.to_string(),
        }),
    })
}

pub async fn release(client: &Client, address: Pubkey, to: Option<Pubkey>) -> Result<Output> {
    let payer = client.settings.keypair()?;
    let submission = client.submission(&address).await?;
    let bounty = client.bounty(&submission.bounty).await?;
    let mint = client.mint(&bounty.mint).await?;
    let mut instructions = Vec::new();
    let to = match to {
        Some(to) => to,
        None => {
            instructions.push(tokens::create_ata_ix(
                &payer.pubkey(),
                &submission.contributor,
                &bounty.mint,
                &mint.token_program,
            ));
            tokens::ata(&submission.contributor, &bounty.mint, &mint.token_program)
        }
    };
    instructions.push(ix::submission_release(
        &submission.bounty,
        &address,
        &bounty.mint,
        &mint.token_program,
        &to,
    ));
    let signature = client
        .send("submission_release", &instructions, &[])
        .await?;
    Ok(Output {
        text: format!(
            "paid {} to {} for {address}\n  signature {signature}",
            amount::format(bounty.reward_per_submission, mint.decimals),
            submission.contributor
        ),
        json: json!({ "submission": address.to_string(), "amount": bounty.reward_per_submission, "to": to.to_string(), "signature": signature.to_string() }),
    })
}

pub async fn cancel(client: &Client, bounty: Pubkey) -> Result<Output> {
    let creator = client.settings.keypair()?;
    let signature = client
        .send(
            "bounty_cancel",
            &[ix::bounty_cancel(&creator.pubkey(), &bounty)],
            &[],
        )
        .await?;
    Ok(Output {
        text: format!(
            "cancelled {bounty}; pending submissions stay reviewable until the review deadline"
        ),
        json: json!({ "bounty": bounty.to_string(), "signature": signature.to_string() }),
    })
}

pub async fn refund(client: &Client, address: Pubkey) -> Result<Output> {
    let payer = client.settings.keypair()?;
    let bounty = client.bounty(&address).await?;
    let mint = client.mint(&bounty.mint).await?;
    let to = tokens::ata(&bounty.creator, &bounty.mint, &mint.token_program);
    let instructions = [
        tokens::create_ata_ix(
            &payer.pubkey(),
            &bounty.creator,
            &bounty.mint,
            &mint.token_program,
        ),
        ix::bounty_refund(&address, &bounty.mint, &mint.token_program, &to),
    ];
    let signature = client.send("bounty_refund", &instructions, &[]).await?;
    // What the chain says, not what was asked: untracked tokens may have been swept too.
    let refunded = client
        .bounty(&address)
        .await?
        .refunded
        .saturating_sub(bounty.refunded);
    Ok(Output {
        text: format!(
            "refunded {} to the creator {}\n  signature {signature}",
            amount::format(refunded, mint.decimals),
            bounty.creator
        ),
        json: json!({ "bounty": address.to_string(), "refunded": refunded, "signature": signature.to_string() }),
    })
}

pub async fn close_submission(client: &Client, address: Pubkey) -> Result<Output> {
    let submission = client.submission(&address).await?;
    let rent = client.account(&address).await?.map_or(0, |a| a.lamports);
    let instruction = ix::submission_close(&submission.bounty, &address, &submission.contributor);
    let signature = client.send("submission_close", &[instruction], &[]).await?;
    Ok(Output {
        text: format!(
            "closed {address}; {rent} lamports back to {}",
            submission.contributor
        ),
        json: json!({ "submission": address.to_string(), "rent_returned": rent, "signature": signature.to_string() }),
    })
}

pub async fn close(client: &Client, address: Pubkey) -> Result<Output> {
    let creator = client.settings.keypair()?;
    let bounty = client.bounty(&address).await?;
    let mint = client.mint(&bounty.mint).await?;
    let instruction = ix::bounty_close(
        &creator.pubkey(),
        &address,
        &bounty.mint,
        &mint.token_program,
    );
    let signature = client.send("bounty_close", &[instruction], &[]).await?;
    Ok(Output {
        text: format!(
            "closed bounty {address} and its vault; rent back to {}",
            creator.pubkey()
        ),
        json: json!({ "bounty": address.to_string(), "signature": signature.to_string() }),
    })
}

fn bounty_json(address: &Pubkey, b: &Bounty, decimals: u8) -> Value {
    json!({
        "bounty": address.to_string(),
        "creator": b.creator.to_string(),
        "dataset_id": hex(&b.dataset_id),
        "nonce": b.nonce,
        "metadata_uri": b.metadata_uri,
        "mint": b.mint.to_string(),
        "token_program": b.token_program.to_string(),
        "vault": b.vault.to_string(),
        "decimals": decimals,
        "reward_per_submission": b.reward_per_submission,
        "max_winners": b.max_winners,
        "reviewers": b.reviewers.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "quorum": b.quorum,
        "submission_deadline": b.submission_deadline,
        "review_deadline": b.review_deadline,
        "permanent_delegate_allowed": b.permanent_delegate_allowed,
        "funded": b.funded, "reserved": b.reserved, "released": b.released, "refunded": b.refunded,
        "submissions": b.submissions, "pending": b.pending, "accepted": b.accepted, "paid": b.paid,
        "open_submission_accounts": b.open_submission_accounts,
        "status": format!("{:?}", b.status),
    })
}

fn bounty_text(address: &Pubkey, b: &Bounty, decimals: u8) -> String {
    let tokens = |v: u64| amount::format(v, decimals);
    format!(
        "bounty {address} ({:?})\n  creator {}\n  mint {} ({} decimals)\n  reward {} × up to {} winners; quorum {} of {} reviewers\n  submissions until {}, reviews until {}\n  funded {}, reserved {}, released {}, refunded {}\n  submissions {} (pending {}, accepted {}, paid {})",
        b.status,
        b.creator,
        b.mint,
        decimals,
        tokens(b.reward_per_submission),
        b.max_winners,
        b.quorum,
        b.reviewers.len(),
        format_time(b.submission_deadline),
        format_time(b.review_deadline),
        tokens(b.funded),
        tokens(b.reserved),
        tokens(b.released),
        tokens(b.refunded),
        b.submissions,
        b.pending,
        b.accepted,
        b.paid
    )
}

fn submission_json(address: &Pubkey, s: &Submission) -> Value {
    json!({
        "submission": address.to_string(),
        "bounty": s.bounty.to_string(),
        "contributor": s.contributor.to_string(),
        "hash": hex(&s.hash),
        "uri": s.uri,
        "created_at": s.created_at,
        "approvals": s.approval_count(),
        "rejections": s.rejection_count(),
        "status": format!("{:?}", s.status),
        "decided_at": s.decided_at,
    })
}

pub async fn show(client: &Client, address: Pubkey) -> Result<Output> {
    let account = client
        .account(&address)
        .await?
        .ok_or_else(|| anyhow!("{address} does not exist"))?;
    if account
        .data
        .starts_with(<Bounty as anchor_lang::Discriminator>::DISCRIMINATOR)
    {
        let bounty = client.bounty(&address).await?;
        let decimals = client
            .mint(&bounty.mint)
            .await
            .map(|m| m.decimals)
            .unwrap_or(0);
        return Ok(Output {
            text: bounty_text(&address, &bounty, decimals),
            json: bounty_json(&address, &bounty, decimals),
        });
    }
    let s = client.submission(&address).await?;
    Ok(Output {
        text: format!(
            "submission {address} ({:?})\n  bounty {}\n  contributor {}\n  hash {}\n  votes: {} approve, {} reject",
            s.status,
            s.bounty,
            s.contributor,
            hex(&s.hash),
            s.approval_count(),
            s.rejection_count()
        ),
        json: submission_json(&address, &s),
    })
}

#[derive(Subcommand)]
pub enum ListCommand {
    /// Bounties created through the program (optionally of one creator)
    Bounties {
        #[arg(long)]
        creator: Option<Pubkey>,
    },
    /// The submissions of a bounty
    Submissions { bounty: Pubkey },
}

/// Events of the program in transactions that touched `address`, oldest first. Works
/// on any RPC: it pages `getSignaturesForAddress` and reads each transaction.
async fn events_touching(client: &Client, address: &Pubkey) -> Result<Vec<DatabountyEvent>> {
    let mut signatures = Vec::new();
    let mut before = None;
    loop {
        let config = GetConfirmedSignaturesForAddress2Config {
            before,
            until: None,
            limit: Some(1000),
            commitment: Some(client.settings.commitment),
        };
        let page = client
            .rpc
            .get_signatures_for_address_with_config(address, config)
            .await
            .map_err(|e| anyhow!("listing {address}: {}", explain(&e)))?;
        let done = page.len() < 1000;
        for entry in &page {
            if entry.err.is_none() {
                signatures.push(
                    entry
                        .signature
                        .parse::<solana_sdk::signature::Signature>()?,
                );
            }
        }
        before = signatures.last().copied();
        if done || before.is_none() {
            break;
        }
    }
    let mut events = Vec::new();
    for signature in signatures.iter().rev() {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(client.settings.commitment),
            max_supported_transaction_version: Some(0),
        };
        let tx = client
            .rpc
            .get_transaction_with_config(signature, config)
            .await
            .map_err(|e| anyhow!("reading {signature}: {}", explain(&e)))?;
        for found in databounty_sdk::transaction::find_events(&databounty::ID, &tx)? {
            if let Ok(event) = found.event {
                events.push(event);
            }
        }
    }
    Ok(events)
}

pub async fn list(client: &Client, command: ListCommand) -> Result<Output> {
    match command {
        ListCommand::Bounties { creator } => {
            let events = events_touching(client, &creator.unwrap_or(databounty::ID)).await?;
            let mut lines = Vec::new();
            let mut rows = Vec::new();
            for event in events {
                let DatabountyEvent::BountyCreated(created) = event else {
                    continue;
                };
                if creator.is_some_and(|c| c != created.creator) {
                    continue;
                }
                let state = client.bounty(&created.bounty).await.ok();
                let status = state
                    .as_ref()
                    .map_or("Closed".to_string(), |b| format!("{:?}", b.status));
                lines.push(format!(
                    "{}  {status:<9}  dataset {}",
                    created.bounty,
                    &hex(&created.dataset_id)[..16]
                ));
                rows.push(json!({ "bounty": created.bounty.to_string(), "creator": created.creator.to_string(), "status": status }));
            }
            let text = if lines.is_empty() {
                "no bounties".to_string()
            } else {
                lines.join("\n")
            };
            Ok(Output {
                text,
                json: Value::Array(rows),
            })
        }
        ListCommand::Submissions { bounty } => {
            let events = events_touching(client, &bounty).await?;
            let mut lines = Vec::new();
            let mut rows = Vec::new();
            for event in events {
                let DatabountyEvent::SubmissionCreated(created) = event else {
                    continue;
                };
                if created.bounty != bounty {
                    continue;
                }
                let state = client.submission(&created.submission).await.ok();
                let status = state
                    .as_ref()
                    .map_or("Closed".to_string(), |s| format!("{:?}", s.status));
                lines.push(format!(
                    "{}  {status:<8}  contributor {}",
                    created.submission, created.contributor
                ));
                rows.push(json!({ "submission": created.submission.to_string(), "contributor": created.contributor.to_string(), "status": status }));
            }
            let text = if lines.is_empty() {
                "no submissions".to_string()
            } else {
                lines.join("\n")
            };
            Ok(Output {
                text,
                json: Value::Array(rows),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_parse_three_ways() {
        assert_eq!(parse_deadline("+2h", 1_000).unwrap(), 1_000 + 7_200);
        assert_eq!(parse_deadline("+90s", 0).unwrap(), 90);
        assert_eq!(parse_deadline("1700000000", 0).unwrap(), 1_700_000_000);
        assert_eq!(
            parse_deadline("2026-12-01T00:00:00Z", 0).unwrap(),
            1_796_083_200
        );
        assert!(parse_deadline("tomorrow", 0).is_err());
        assert!(parse_deadline("+forever", 0).is_err());
    }
}
