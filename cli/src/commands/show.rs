//! `show`: a bounty or a submission, as stored on chain. For a submission, what only
//! its events hold (rejection reason URIs, the bond's history) is read from the
//! transactions that touched it.

use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, Result};
use clap::Args;
use databounty::events::SubmissionAttested;
use databounty::state::{Bounty, Submission};
use databounty_sdk::amount;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::hash::hex;
use serde_json::{json, Value};

use crate::client::Client;
use crate::commands::list::events_touching;
use crate::output::Output;
use crate::time::format_time;

#[derive(Args)]
pub struct ShowArgs {
    /// A bounty's or a submission's address
    address: Pubkey,
}

/// One reviewer slot of a bounty: who holds it, what it is owed, how often it changed hands.
fn reviewer_slots(b: &Bounty) -> impl Iterator<Item = (usize, &Pubkey, u64, u32)> {
    b.reviewers.iter().enumerate().map(|(i, r)| {
        (
            i,
            r,
            b.fees_owed.get(i).copied().unwrap_or(0),
            b.reviewer_generations.get(i).copied().unwrap_or(0),
        )
    })
}

fn bounty_json(address: &Pubkey, b: &Bounty, decimals: u8) -> Value {
    let slots: Vec<Value> = reviewer_slots(b)
        .map(|(index, reviewer, owed, generation)| {
            json!({ "index": index, "reviewer": reviewer.to_string(), "fees_owed": owed, "generation": generation })
        })
        .collect();
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
        "review_fee": b.review_fee,
        "fees_reserved": b.fees_reserved,
        "fees_paid": b.fees_paid,
        "submission_bond": b.submission_bond,
        "bonds_received": b.bonds_received,
        "bonds_held": b.bonds_held,
        "bonds_returned": b.bonds_returned,
        "bonds_forfeited": b.bonds_forfeited,
        "reviewer_slots": slots,
        "parked_fees": b.parked_fees.iter().map(|p| json!({
            "reviewer": p.reviewer.to_string(), "slot": p.slot, "amount": p.amount,
        })).collect::<Vec<_>>(),
    })
}

fn bounty_text(address: &Pubkey, b: &Bounty, decimals: u8) -> String {
    let tokens = |v: u64| amount::format(v, decimals);
    let mut text = format!(
        "bounty {address} ({:?})\n  creator {}\n  mint {} ({} decimals)\n  reward {} × up to {} winners; quorum {} of {} reviewers\n  submissions until {}, reviews until {}\n  funded {}, reserved {}, released {}, refunded {}\n  submissions {} (pending {}, accepted {}, paid {})\n  review fee {} per agreeing vote: reserved {}, paid {}\n  submission bond {}: received {}, held {}, returned {}, forfeited {}\n  reviewers:",
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
        b.paid,
        tokens(b.review_fee),
        tokens(b.fees_reserved),
        tokens(b.fees_paid),
        tokens(b.submission_bond),
        tokens(b.bonds_received),
        tokens(b.bonds_held),
        tokens(b.bonds_returned),
        tokens(b.bonds_forfeited),
    );
    for (index, reviewer, owed, generation) in reviewer_slots(b) {
        text.push_str(&format!(
            "\n    {index} {reviewer}  fees owed {}{}",
            tokens(owed),
            if generation > 0 {
                format!("  (replaced {generation}×)")
            } else {
                String::new()
            }
        ));
    }
    for parked in &b.parked_fees {
        text.push_str(&format!(
            "\n  parked for {} (replaced in slot {}): fees owed {}",
            parked.reviewer,
            parked.slot,
            tokens(parked.amount)
        ));
    }
    text
}

/// What the events of a submission add to its account: its bond's history and the
/// vote events (for reason URIs, which only the events keep).
#[derive(Default)]
struct History {
    bond_posted: u64,
    bond_returned: u64,
    bond_forfeited: u64,
    votes: Vec<SubmissionAttested>,
}

impl History {
    /// The history of the submission at `address` from its events, oldest first. A hash
    /// registered again after an early close is a new account at the same address: only
    /// the events since its latest creation are its own.
    fn of(address: &Pubkey, events: Vec<DatabountyEvent>) -> Self {
        let mut history = Self::default();
        for event in events {
            match event {
                DatabountyEvent::SubmissionCreated(e) if e.submission == *address => {
                    history = Self::default();
                }
                DatabountyEvent::SubmissionBondPosted(e) if e.submission == *address => {
                    history.bond_posted += e.received;
                }
                DatabountyEvent::SubmissionBondReturned(e) if e.submission == *address => {
                    history.bond_returned += e.amount;
                }
                DatabountyEvent::SubmissionBondForfeited(e) if e.submission == *address => {
                    history.bond_forfeited += e.amount;
                }
                DatabountyEvent::SubmissionAttested(e) if e.submission == *address => {
                    history.votes.push(e);
                }
                _ => {}
            }
        }
        history
    }

    /// The event of the vote slot `index` holds now (cast under `generation`).
    fn vote(&self, index: usize, generation: u32) -> Option<&SubmissionAttested> {
        self.votes
            .iter()
            .rev()
            .find(|v| usize::from(v.reviewer_index) == index && v.reviewer_generation == generation)
    }
}

/// One recorded vote of a submission, with what the bounty and the events say of it.
struct Vote {
    index: usize,
    reviewer: Option<Pubkey>,
    approve: bool,
    counted: bool,
    reason_code: u16,
    reason_uri: Option<String>,
}

fn votes(s: &Submission, bounty: Option<&Bounty>, history: Option<&History>) -> Vec<Vote> {
    let counted = bounty.map(|b| s.current_votes(&b.reviewer_generations));
    (0..32usize)
        .filter_map(|index| {
            let bit = 1u32 << index;
            let approve = s.approvals & bit != 0;
            if !approve && s.rejections & bit == 0 {
                return None;
            }
            let generation = s.vote_generations.get(index).copied().unwrap_or(0);
            let event = history.and_then(|h| h.vote(index, generation));
            Some(Vote {
                index,
                // Who cast it: the event says; else the slot's holder if it never changed hands.
                reviewer: event.map(|e| e.reviewer).or_else(|| {
                    bounty
                        .filter(|b| b.reviewer_generations.get(index) == Some(&generation))
                        .and_then(|b| b.reviewers.get(index).copied())
                }),
                approve,
                counted: counted.is_none_or(|c| c & bit != 0),
                reason_code: s.rejection_reasons.get(index).copied().unwrap_or(0),
                reason_uri: event.and_then(|e| e.reason_uri.clone()),
            })
        })
        .collect()
}

fn submission_json(
    address: &Pubkey,
    s: &Submission,
    votes: &[Vote],
    history: Option<&History>,
) -> Value {
    let votes: Vec<Value> = votes
        .iter()
        .map(|v| {
            json!({
                "index": v.index,
                "reviewer": v.reviewer.map(|r| r.to_string()),
                "approve": v.approve,
                "counted": v.counted,
                "reason_code": v.reason_code,
                "reason_uri": v.reason_uri,
            })
        })
        .collect();
    json!({
        "submission": address.to_string(),
        "bounty": s.bounty.to_string(),
        "contributor": s.contributor.to_string(),
        "hash": hex(&s.hash),
        "uri": s.uri,
        "created_at": s.created_at,
        "review_deadline": s.review_deadline,
        "approvals": s.approval_count(),
        "rejections": s.rejection_count(),
        "status": format!("{:?}", s.status),
        "decided_at": s.decided_at,
        "bond": s.bond,
        "bond_posted": history.map(|h| h.bond_posted),
        "bond_returned": history.map(|h| h.bond_returned),
        "bond_forfeited": history.map(|h| h.bond_forfeited),
        "votes": votes,
    })
}

fn submission_text(
    address: &Pubkey,
    s: &Submission,
    votes: &[Vote],
    history: Result<&History, &anyhow::Error>,
    decimals: u8,
) -> String {
    let mut text = format!(
        "submission {address} ({:?})\n  bounty {}\n  contributor {}\n  hash {}\n  votes until {}\n  votes: {} approve, {} reject",
        s.status,
        s.bounty,
        s.contributor,
        hex(&s.hash),
        format_time(s.review_deadline),
        s.approval_count(),
        s.rejection_count()
    );
    let tokens = |v: u64| amount::format(v, decimals);
    match history {
        Ok(h) if h.bond_posted > 0 => {
            text.push_str(&format!(
                "\n  bond: posted {}, held {}, returned {}, forfeited {}",
                tokens(h.bond_posted),
                tokens(s.bond),
                tokens(h.bond_returned),
                tokens(h.bond_forfeited)
            ));
        }
        Ok(_) => text.push_str("\n  bond: none"),
        Err(err) => text.push_str(&format!(
            "\n  bond: {} held (its history and reason URIs are unavailable: {err:#})",
            tokens(s.bond)
        )),
    }
    for v in votes {
        let who = v
            .reviewer
            .map_or_else(|| "a replaced reviewer".to_string(), |r| r.to_string());
        let mut line = format!(
            "\n    {} {who}: {}",
            v.index,
            if v.approve { "approve" } else { "reject" }
        );
        if v.reason_code != 0 {
            line.push_str(&format!(", reason {}", v.reason_code));
        }
        if let Some(uri) = &v.reason_uri {
            line.push_str(&format!(" {uri}"));
        }
        if !v.counted {
            line.push_str(" (no longer counts: the reviewer was replaced)");
        }
        text.push_str(&line);
    }
    text
}

pub async fn run(client: &Client, args: ShowArgs) -> Result<Output> {
    let address = args.address;
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
    // The bounty outlives its submissions (it closes only once they all have), but an
    // unreadable one should not hide the submission.
    let bounty = client.bounty(&s.bounty).await.ok();
    let decimals = match &bounty {
        Some(b) => client.mint(&b.mint).await.map(|m| m.decimals).unwrap_or(0),
        None => 0,
    };
    // An RPC without transaction history still shows the account.
    let history = events_touching(client, &address)
        .await
        .map(|events| History::of(&address, events));
    let votes = votes(&s, bounty.as_ref(), history.as_ref().ok());
    Ok(Output {
        text: submission_text(&address, &s, &votes, history.as_ref(), decimals),
        json: submission_json(&address, &s, &votes, history.as_ref().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use databounty::events::{SubmissionBondPosted, SubmissionBondReturned, SubmissionCreated};

    fn created(submission: Pubkey) -> DatabountyEvent {
        DatabountyEvent::SubmissionCreated(SubmissionCreated {
            bounty: Pubkey::default(),
            submission,
            contributor: Pubkey::default(),
            hash: [0; 32],
            uri: None,
            submissions: 1,
            pending: 1,
            open_submission_accounts: 1,
            created_at: 0,
            review_deadline: 10,
        })
    }

    fn posted(submission: Pubkey, received: u64) -> DatabountyEvent {
        DatabountyEvent::SubmissionBondPosted(SubmissionBondPosted {
            bounty: Pubkey::default(),
            submission,
            contributor: Pubkey::default(),
            requested: received,
            received,
            bonds_held_before: 0,
            bonds_held_after: received,
            posted_at: 0,
        })
    }

    #[test]
    fn a_registered_again_hash_shows_only_its_own_bond() {
        let address = Pubkey::new_unique();
        let other = Pubkey::new_unique();
        let returned = DatabountyEvent::SubmissionBondReturned(SubmissionBondReturned {
            bounty: Pubkey::default(),
            submission: address,
            contributor: Pubkey::default(),
            contributor_token_account: Pubkey::default(),
            amount: 500,
            received: 500,
            bonds_held_before: 500,
            bonds_held_after: 0,
            bonds_returned: 500,
            returned_at: 0,
        });
        let events = vec![
            created(address),
            posted(address, 500),
            returned,
            created(address),
            posted(address, 700),
            posted(other, 900),
        ];
        let history = History::of(&address, events);
        assert_eq!(
            (
                history.bond_posted,
                history.bond_returned,
                history.bond_forfeited
            ),
            (700, 0, 0)
        );
    }
}
