// A whole bounty lifecycle through the generated client against the local chain, sent
// with @solana/kit's standard sendAndConfirmTransactionFactory (which confirms through
// the PubSub websocket): accounts and emit_cpi! events decoded, a program error shown
// by name and message.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  airdropFactory,
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase58Decoder,
  getSignatureFromTransaction,
  isSolanaError,
  lamports,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  type Instruction,
  type Signature,
  type TransactionSigner,
} from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintToInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
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
  getBountyCreatedDecoder,
  getBountyCreateInstructionAsync,
  getDatabountyErrorMessage,
  getSubmissionAcceptedDecoder,
  getSubmissionAttestInstruction,
  getSubmissionCreatedDecoder,
  getSubmissionCreateInstruction,
  getSubmissionPaidDecoder,
  getSubmissionReleaseInstructionAsync,
  isDatabountyError,
  SubmissionStatus,
  submissionHash,
  termsHash,
} from "../src/index";
import * as client from "../src/index";
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

test("a bounty from creation to payout through the generated client", async () => {
  const rpc = createSolanaRpc(chain.url);
  const rpcSubscriptions = createSolanaRpcSubscriptions(chain.wsUrl);
  const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
  const airdrop = airdropFactory({ rpc, rpcSubscriptions });

  async function send(payer: TransactionSigner, instructions: Instruction[]): Promise<Signature> {
    const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: "confirmed" }).send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const signed = await signTransactionMessageWithSigners(message);
    await sendAndConfirm(signed, { commitment: "confirmed" });
    return getSignatureFromTransaction(signed);
  }
  async function events(signature: Signature) {
    const tx = await rpc
      .getTransaction(signature, { commitment: "confirmed", encoding: "json", maxSupportedTransactionVersion: 0 })
      .send();
    assert.ok(tx, `transaction ${signature}`);
    return eventData(tx as never);
  }

  const [creator, contributor, reviewer, mint] = await Promise.all([
    generateKeyPairSigner(),
    generateKeyPairSigner(),
    generateKeyPairSigner(),
    generateKeyPairSigner(),
  ]);
  for (const who of [creator, contributor, reviewer]) {
    await airdrop({ recipientAddress: who.address, lamports: lamports(2_000_000_000n), commitment: "confirmed" });
  }

  // A test token: 6 decimals, 1000 tokens to the creator.
  const space = 82n;
  const rent = await rpc.getMinimumBalanceForRentExemption(space).send();
  const [creatorAta] = await findAssociatedTokenPda({ owner: creator.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  await send(creator, [
    getCreateAccountInstruction({ payer: creator, newAccount: mint, lamports: rent, space, programAddress: TOKEN_PROGRAM_ADDRESS }),
    getInitializeMint2Instruction({ mint: mint.address, decimals: 6, mintAuthority: creator.address }),
    getCreateAssociatedTokenIdempotentInstruction({ payer: creator, ata: creatorAta, owner: creator.address, mint: mint.address }),
    getMintToInstruction({ mint: mint.address, token: creatorAta, mintAuthority: creator, amount: 1_000_000_000n }),
  ]);

  // Create and fund a bounty: 2 tokens per accepted submission, one reviewer.
  const { value: slot } = { value: await rpc.getSlot({ commitment: "confirmed" }).send() };
  const now = BigInt((await rpc.getBlockTime(slot).send()) ?? BigInt(Math.floor(Date.now() / 1000)));
  const datasetId = new Uint8Array(32).fill(7);
  const bounty = await findBountyPda(creator.address, datasetId, 0n);
  const eventAuthority = await findEventAuthorityPda();
  const common = { eventAuthority, program: DATABOUNTY_PROGRAM_ADDRESS };
  const created = await send(creator, [
    await getBountyCreateInstructionAsync({
      ...common,
      payer: creator,
      creator,
      bounty,
      mint: mint.address,
      creatorTokenAccount: creatorAta,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
      datasetId,
      nonce: 0n,
      metadataUri: "ipfs://guidelines",
      rewardPerSubmission: 2_000_000n,
      maxWinners: 3,
      reviewers: [reviewer.address],
      quorum: 1,
      submissionDeadline: now + 3600n,
      reviewDeadline: now + 7200n,
      allowPermanentDelegate: false,
      initialFunding: 10_000_000n,
      reviewFee: 0n,
      submissionBond: 0n,
    }),
  ]);
  const [createdEvent] = pick(await events(created), getBountyCreatedDecoder());
  assert.equal(createdEvent.bounty, bounty);
  let account = await fetchBounty(rpc, bounty, { commitment: "confirmed" });
  assert.equal(account.data.status, BountyStatus.Open);
  assert.equal(account.data.funded, 10_000_000n);
  assert.deepEqual(account.data.reviewers, [reviewer.address]);

  // A contributor registers the hash of its data.
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
  const attest = getSubmissionAttestInstruction({ ...common, reviewer, bounty, submission, hash, approve: true, reasonCode: 0, reasonUri: null });
  const attested = await send(reviewer, [attest]);
  const [accepted] = pick(await events(attested), getSubmissionAcceptedDecoder());
  assert.equal(accepted.submission, submission);
  assert.equal((await fetchSubmission(rpc, submission, { commitment: "confirmed" })).data.status, SubmissionStatus.Accepted);

  // A second vote is refused: the error comes back by name and message.
  await assert.rejects(send(reviewer, [getSubmissionAttestInstruction({ ...common, reviewer, bounty, submission, hash, approve: true, reasonCode: 0, reasonUri: null })]), (err: unknown) => {
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
  const [contributorAta] = await findAssociatedTokenPda({ owner: contributor.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  const released = await send(creator, [
    await getSubmissionReleaseInstructionAsync({
      ...common,
      payer: creator,
      bounty,
      submission,
      mint: mint.address,
      contributor: contributor.address,
      contributorTokenAccount: contributorAta,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
    }),
  ]);
  const [paid] = pick(await events(released), getSubmissionPaidDecoder());
  assert.equal(paid.submission, submission);
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
