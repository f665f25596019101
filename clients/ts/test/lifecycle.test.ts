// A whole bounty lifecycle through the generated client against the local chain, sent
// with @solana/kit's standard sendAndConfirmTransactionFactory (which confirms through
// the PubSub websocket): accounts and emit_cpi! events decoded, a program error shown
// by name and message.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  generateKeyPairSigner,
  getBase58Decoder,
  isSolanaError,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  type Address,
  type Signature,
  type TransactionSigner,
} from "@solana/kit";
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import {
  anchorErrorFromLogs,
  BOUNTY_DISCRIMINATOR,
  BountyStatus,
  DATABOUNTY_PROGRAM_ADDRESS,
  decodeBounty,
  eventData,
  fetchBounty,
  fetchSubmission,
  findBountyPda,
  findEventAuthorityPda,
  findSubmissionPda,
  findVaultPda,
  getBountyCreatedDecoder,
  getBountyCreateInstructionAsync,
  getBountyReviewerReplaceInstruction,
  getDatabountyErrorMessage,
  getReviewFeeClaimedDecoder,
  getReviewFeeClaimInstructionAsync,
  getReviewFeesReservedDecoder,
  getReviewerReplacedDecoder,
  getSubmissionAcceptedDecoder,
  getSubmissionAttestedDecoder,
  getSubmissionAttestInstruction,
  getSubmissionBondForfeitedDecoder,
  getSubmissionBondPostedDecoder,
  getSubmissionBondReturnedDecoder,
  getSubmissionCreatedDecoder,
  getSubmissionCreateInstruction,
  getSubmissionPaidDecoder,
  getSubmissionRejectedDecoder,
  getSubmissionReleaseInstructionAsync,
  isDatabountyError,
  SubmissionStatus,
  submissionHash,
  termsHash,
} from "../src/index";
import * as client from "../src/index";
import { createMint, kitClient, mintTo } from "./kit";
import { startLocalnet, type Localnet } from "./localnet";

/** `DATABOUNTY_ERROR__ALREADY_ATTESTED` → `AlreadyAttested`: the generated name of `code`. */
function generatedErrorName(code: number): string | undefined {
  const constant = Object.entries(client).find(([name, value]) => name.startsWith("DATABOUNTY_ERROR__") && value === code)?.[0];
  return constant
    ?.slice("DATABOUNTY_ERROR__".length)
    .split("_")
    .map((w) => w[0] + w.slice(1).toLowerCase())
    .join("");
}

/** The events of one kind among a transaction's events: each decoder checks its discriminator. */
function pick<T>(events: Uint8Array[], decoder: { decode(data: Uint8Array): T }): T[] {
  return events.flatMap((data) => {
    try {
      return [decoder.decode(data)];
    } catch {
      return [];
    }
  });
}

let chain: Localnet;
before(async () => {
  chain = await startLocalnet();
});
after(() => chain?.stop());

/** An RPC connection to the local chain, and how the tests send and read transactions. */
function connect() {
  const { rpc, send, funded } = kitClient(chain);

  /** The chain's clock: the time of its latest confirmed block. */
  async function now(): Promise<bigint> {
    const slot = await rpc.getSlot({ commitment: "confirmed" }).send();
    return BigInt((await rpc.getBlockTime(slot).send()) ?? BigInt(Math.floor(Date.now() / 1000)));
  }
  async function events(signature: Signature) {
    const tx = await rpc
      .getTransaction(signature, { commitment: "confirmed", encoding: "json", maxSupportedTransactionVersion: 0 })
      .send();
    assert.ok(tx, `transaction ${signature}`);
    return eventData(tx as never);
  }
  async function balance(owner: Address, mint: Address): Promise<bigint> {
    const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    const { value } = await rpc.getTokenAccountBalance(ata, { commitment: "confirmed" }).send();
    return BigInt(value.amount);
  }
  /** `creator` creates and funds a bounty (see `bountyCreate`) on the chain's clock: its address and the signature. */
  async function createBounty(accounts: Poster, terms: BountyTerms) {
    const bounty = await findBountyPda(accounts.creator.address, terms.datasetId, 0n);
    const signature = await send(accounts.creator, [await bountyCreate({ ...accounts, bounty, now: await now() }, terms)]);
    return { bounty, signature };
  }
  return { rpc, send, events, funded, createBounty, balance };
}

/** The accounts every instruction's event CPI names. */
async function eventAccounts() {
  return { eventAuthority: await findEventAuthorityPda(), program: DATABOUNTY_PROGRAM_ADDRESS };
}

/** Who creates a bounty, with what, and who reviews it. */
type Poster = { creator: TransactionSigner; mint: Address; creatorTokenAccount: Address; reviewer: Address };
/** What the two bounties of these tests set differently. */
type BountyTerms = { datasetId: Uint8Array; metadataUri: string; maxWinners: number; reviewFee: bigint; submissionBond: bigint };

/**
 * `bounty_create` at `bounty` by `creator`, funded with 10 tokens from `creatorTokenAccount`:
 * 2 tokens per winner, `reviewer` deciding alone, deadlines an hour and two hours after
 * `now`. `terms` names the rest.
 */
async function bountyCreate(accounts: Poster & { bounty: Address; now: bigint }, terms: BountyTerms) {
  const { creator, bounty, mint, creatorTokenAccount, reviewer, now } = accounts;
  return getBountyCreateInstructionAsync({
    ...(await eventAccounts()),
    payer: creator,
    creator,
    bounty,
    mint,
    creatorTokenAccount,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
    nonce: 0n,
    rewardPerSubmission: 2_000_000n,
    reviewers: [reviewer],
    quorum: 1,
    submissionDeadline: now + 3600n,
    reviewDeadline: now + 7200n,
    allowPermanentDelegate: false,
    initialFunding: 10_000_000n,
    ...terms,
  });
}

/** `reviewer`'s approval of a submission. */
async function approval(reviewer: TransactionSigner, bounty: Address, work: { submission: Address; hash: Uint8Array }) {
  return getSubmissionAttestInstruction({ ...(await eventAccounts()), reviewer, bounty, ...work, approve: true, reasonCode: 0, reasonUri: null });
}

/** `submission_release` cranked by `payer`, paying `contributor`'s associated token account. */
async function release(payer: TransactionSigner, bounty: Address, submission: Address, mint: Address, contributor: Address) {
  const [contributorTokenAccount] = await findAssociatedTokenPda({ owner: contributor, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return getSubmissionReleaseInstructionAsync({
    ...(await eventAccounts()),
    payer,
    bounty,
    submission,
    mint,
    contributor,
    contributorTokenAccount,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
}

test("a bounty from creation to payout through the generated client", async () => {
  const { rpc, send, events, funded, createBounty } = connect();

  const [creator, contributor, reviewer] = await funded(3);
  const mint = await generateKeyPairSigner();

  // A test token: 6 decimals, 1000 tokens to the creator.
  await createMint(send, rpc, creator, mint);
  const creatorAta = await mintTo(send, creator, mint.address, creator.address, 1_000_000_000n);

  // Create and fund a bounty: 2 tokens per accepted submission, one reviewer.
  const { bounty, signature: created } = await createBounty(
    { creator, mint: mint.address, creatorTokenAccount: creatorAta, reviewer: reviewer.address },
    { datasetId: new Uint8Array(32).fill(7), metadataUri: "ipfs://guidelines", maxWinners: 3, reviewFee: 0n, submissionBond: 0n },
  );
  const [createdEvent] = pick(await events(created), getBountyCreatedDecoder());
  assert.equal(createdEvent.bounty, bounty);
  let account = await fetchBounty(rpc, bounty, { commitment: "confirmed" });
  assert.equal(account.data.status, BountyStatus.Open);
  assert.equal(account.data.funded, 10_000_000n);
  assert.deepEqual(account.data.reviewers, [reviewer.address]);

  // A contributor registers the hash of its data.
  const common = await eventAccounts();
  const digest = new Uint8Array(32).fill(1);
  const hash = submissionHash(bounty, contributor.address, digest);
  const submission = await findSubmissionPda(bounty, contributor.address, hash);
  const submitted = await send(contributor, [
    getSubmissionCreateInstruction({
      ...common,
      contributor,
      bounty,
      submission,
      hash,
      uri: "https://example.org/labels.tar",
      terms: termsHash(account.data),
    }),
  ]);
  const [submittedEvent] = pick(await events(submitted), getSubmissionCreatedDecoder());
  assert.equal(submittedEvent.submission, submission);

  // The reviewer approves: quorum reached, the reward is reserved.
  const attest = await approval(reviewer, bounty, { submission, hash });
  const attested = await send(reviewer, [attest]);
  const [accepted] = pick(await events(attested), getSubmissionAcceptedDecoder());
  assert.equal(accepted.submission, submission);
  assert.equal((await fetchSubmission(rpc, submission, { commitment: "confirmed" })).data.status, SubmissionStatus.Accepted);

  // A second vote is refused: the error comes back by name and message.
  await assert.rejects(send(reviewer, [await approval(reviewer, bounty, { submission, hash })]), (err: unknown) => {
    assert.ok(isSolanaError(err, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE), String(err));
    const logs = (err.context as { logs?: string[] }).logs ?? [];
    // The code, from the transaction error; its name and message, from the logs and the client.
    assert.ok(isSolanaError(err.cause, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM), String(err.cause));
    const code = Number(err.cause.context.code);
    assert.ok(isDatabountyError(err.cause, { instructions: { 0: { programAddress: DATABOUNTY_PROGRAM_ADDRESS } } }, code as never));
    const anchor = anchorErrorFromLogs(logs);
    assert.ok(anchor, logs.join("\n"));
    assert.equal(anchor.number, code);
    assert.equal(anchor.name, generatedErrorName(code));
    assert.equal(anchor.message, getDatabountyErrorMessage(code as never));
    console.log(`second vote refused: ${anchor.name} (${code}): ${anchor.message}`);
    return true;
  });

  // Anyone cranks the payout; it lands in the contributor's associated token account,
  // created on the way (the crank pays its rent).
  const released = await send(creator, [await release(creator, bounty, submission, mint.address, contributor.address)]);
  const [paid] = pick(await events(released), getSubmissionPaidDecoder());
  assert.equal(paid.submission, submission);
  const [contributorAta] = await findAssociatedTokenPda({ owner: contributor.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  const { value: balance } = await rpc.getTokenAccountBalance(contributorAta, { commitment: "confirmed" }).send();
  assert.equal(balance.amount, "2000000");

  // Every bounty of the program, as a frontend lists them (getProgramAccounts + decoder).
  const listed = await rpc
    .getProgramAccounts(DATABOUNTY_PROGRAM_ADDRESS, {
      commitment: "confirmed",
      encoding: "base64",
      filters: [{ memcmp: { offset: 0n, bytes: getBase58Decoder().decode(BOUNTY_DISCRIMINATOR) as never, encoding: "base58" } }],
    })
    .send();
  assert.equal(listed.length, 1);
  account = decodeBounty({ address: listed[0].pubkey, ...listed[0].account, data: Buffer.from(listed[0].account.data[0], "base64") } as never);
  assert.equal(account.data.paid, 1);
});

test("fair work through the generated client: review fees, bonds, a rejection's reason and parked fees", async () => {
  const { rpc, send, events, funded, createBounty, balance } = connect();
  const [creator, good, junk, reviewer] = await funded(4);
  const mint = await generateKeyPairSigner();
  await createMint(send, rpc, creator, mint);
  const creatorAta = await mintTo(send, creator, mint.address, creator.address, 100_000_000n);
  // Each contributor holds 5 tokens: the bond of 0.5 comes out of them.
  for (const who of [good, junk]) await mintTo(send, creator, mint.address, who.address, 5_000_000n);

  // 2 per winner, 0.1 per agreeing vote, a bond of 0.5; one reviewer decides alone.
  const { bounty, signature: created } = await createBounty(
    { creator, mint: mint.address, creatorTokenAccount: creatorAta, reviewer: reviewer.address },
    { datasetId: new Uint8Array(32).fill(9), metadataUri: "ipfs://fair-work", maxWinners: 2, reviewFee: 100_000n, submissionBond: 500_000n },
  );
  const [createdEvent] = pick(await events(created), getBountyCreatedDecoder());
  assert.equal(createdEvent.reviewFee, 100_000n);
  assert.equal(createdEvent.submissionBond, 500_000n);
  const [vault] = await findVaultPda({ bounty });
  const common = await eventAccounts();
  const terms = termsHash((await fetchBounty(rpc, bounty, { commitment: "confirmed" })).data);

  // Each contributor registers a hash and posts the bond through the optional accounts.
  async function submit(contributor: TransactionSigner, fill: number) {
    const hash = submissionHash(bounty, contributor.address, new Uint8Array(32).fill(fill));
    const submission = await findSubmissionPda(bounty, contributor.address, hash);
    const [contributorTokenAccount] = await findAssociatedTokenPda({ owner: contributor.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    const signature = await send(contributor, [
      getSubmissionCreateInstruction({
        ...common,
        contributor,
        bounty,
        submission,
        vault,
        mint: mint.address,
        contributorTokenAccount,
        tokenProgram: TOKEN_PROGRAM_ADDRESS,
        hash,
        uri: null,
        terms,
      }),
    ]);
    const [posted] = pick(await events(signature), getSubmissionBondPostedDecoder());
    assert.equal(posted.submission, submission);
    assert.equal(posted.received, 500_000n);
    assert.equal(await balance(contributor.address, mint.address), 4_500_000n);
    return { hash, submission };
  }
  const goodWork = await submit(good, 1);
  const junkWork = await submit(junk, 2);

  // The junk is rejected with a reason: the code is on the account and in the event, the
  // URI only in the event; the bond is forfeited and pays the reviewer's fee.
  const rejected = await send(reviewer, [
    getSubmissionAttestInstruction({ ...common, reviewer, bounty, ...junkWork, approve: false, reasonCode: 4, reasonUri: "ipfs://review-notes/junk" }),
  ]);
  const rejectionEvents = await events(rejected);
  const [attested] = pick(rejectionEvents, getSubmissionAttestedDecoder());
  assert.equal(attested.reasonCode, 4);
  assert.deepEqual(attested.reasonUri, { __option: "Some", value: "ipfs://review-notes/junk" });
  assert.equal(pick(rejectionEvents, getSubmissionRejectedDecoder())[0].submission, junkWork.submission);
  const [forfeited] = pick(rejectionEvents, getSubmissionBondForfeitedDecoder());
  assert.equal(forfeited.amount, 500_000n);
  const [rejectionFees] = pick(rejectionEvents, getReviewFeesReservedDecoder());
  assert.deepEqual([rejectionFees.accepted, rejectionFees.reviewers, rejectionFees.amount], [false, [reviewer.address], 100_000n]);
  const junkAccount = await fetchSubmission(rpc, junkWork.submission, { commitment: "confirmed" });
  assert.equal(junkAccount.data.status, SubmissionStatus.Rejected);
  assert.deepEqual([junkAccount.data.bond, junkAccount.data.rejectionReasons], [0n, [4]]);

  // The good work is accepted and released: reward and bond back (5 − 0.5 + 2 + 0.5).
  await send(reviewer, [await approval(reviewer, bounty, goodWork)]);
  const released = await send(creator, [await release(creator, bounty, goodWork.submission, mint.address, good.address)]);
  const [returned] = pick(await events(released), getSubmissionBondReturnedDecoder());
  assert.equal(returned.amount, 500_000n);
  assert.equal(await balance(good.address, mint.address), 7_000_000n);

  // The creator gives the reviewer's slot to a new key: its two fees (one per decision)
  // are parked for it, not lost.
  const successor = await generateKeyPairSigner();
  const replaced = await send(creator, [
    getBountyReviewerReplaceInstruction({
      ...common,
      creator,
      bounty,
      oldReviewer: reviewer.address,
      newReviewer: successor.address,
    }),
  ]);
  const [replacement] = pick(await events(replaced), getReviewerReplacedDecoder());
  assert.deepEqual([replacement.oldReviewer, replacement.feesParked], [reviewer.address, 200_000n]);
  const parked = (await fetchBounty(rpc, bounty, { commitment: "confirmed" })).data;
  assert.deepEqual(
    [parked.reviewers, parked.feesOwed, parked.parkedFees, parked.feesReserved],
    [[successor.address], [0n], [{ reviewer: reviewer.address, slot: 0, amount: 200_000n }], 200_000n],
  );

  // Anyone claims the parked fees into the old reviewer's associated token account,
  // created on the way.
  const [reviewerAta] = await findAssociatedTokenPda({ owner: reviewer.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  const claimed = await send(creator, [
    await getReviewFeeClaimInstructionAsync({
      ...common,
      payer: creator,
      bounty,
      mint: mint.address,
      reviewer: reviewer.address,
      reviewerTokenAccount: reviewerAta,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
    }),
  ]);
  const [claim] = pick(await events(claimed), getReviewFeeClaimedDecoder());
  assert.deepEqual([claim.reviewer, claim.amount, claim.feesPaid], [reviewer.address, 200_000n, 200_000n]);
  assert.equal(await balance(reviewer.address, mint.address), 200_000n);
  const after = (await fetchBounty(rpc, bounty, { commitment: "confirmed" })).data;
  assert.deepEqual(
    [after.feesOwed, after.parkedFees, after.feesReserved, after.bondsReceived, after.bondsReturned, after.bondsForfeited, after.bondsHeld],
    [[0n], [], 0n, 1_000_000n, 500_000n, 500_000n, 0n],
  );
});
