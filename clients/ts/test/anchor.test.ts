// @coral-xyz/anchor 0.32 and @solana/web3.js against the local chain:
// sendAndConfirmTransaction and .rpc() confirm through the PubSub websocket,
// program.account.bounty.all() lists through getProgramAccounts and decodes the whole
// Bounty layout, a replacement resolves its event accounts through Anchor, and a program
// error arrives as an AnchorError with its name and message.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import anchor from "@coral-xyz/anchor";
import {
  Connection,
  Keypair,
  PublicKey,
  sendAndConfirmTransaction,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import { startLocalnet, type Localnet } from "./localnet";
import { web3Client } from "./web3";

const { AnchorError, AnchorProvider, BN, Program, Wallet } = anchor;
const TOKEN_PROGRAM = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const idl = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "idl", "databounty.json"), "utf8"),
);

let chain: Localnet;
let web3: ReturnType<typeof web3Client>;
let connection: Connection;
before(async () => {
  chain = await startLocalnet();
  web3 = web3Client(chain);
  connection = web3.connection;
});
after(() => {
  web3?.close();
  chain?.stop();
});

test("web3.js and Anchor: confirm over the websocket, account.all(), a replacement, AnchorError", async () => {
  const creator = await web3.funded();

  // A mint, with web3.js's sendAndConfirmTransaction (InitializeMint2: tag 20, decimals,
  // mint authority, no freeze authority).
  const mint = Keypair.generate();
  const rent = await connection.getMinimumBalanceForRentExemption(82);
  const initializeMint = new TransactionInstruction({
    programId: TOKEN_PROGRAM,
    keys: [{ pubkey: mint.publicKey, isSigner: false, isWritable: true }],
    data: Buffer.concat([Buffer.from([20, 6]), creator.publicKey.toBuffer(), Buffer.from([0])]),
  });
  await sendAndConfirmTransaction(
    connection,
    new Transaction().add(
      SystemProgram.createAccount({
        fromPubkey: creator.publicKey,
        newAccountPubkey: mint.publicKey,
        lamports: rent,
        space: 82,
        programId: TOKEN_PROGRAM,
      }),
      initializeMint,
    ),
    [creator, mint],
  );

  const provider = new AnchorProvider(connection, new Wallet(creator), { commitment: "confirmed" });
  // The IDL is JSON read at run time (this repository commits no Anchor-generated IDL
  // type), so its shape is unknown to the compiler: the program is typed as such.
  const program = new Program<any>(idl, provider);
  const now = (await connection.getBlockTime(await connection.getSlot("confirmed")))!;
  const args = (nonce: number, quorum: number) => ({
    datasetId: Array(32).fill(3),
    nonce: new BN(nonce),
    metadataUri: "ipfs://guidelines",
    rewardPerSubmission: new BN(1_000_000),
    maxWinners: 2,
    reviewers: [Keypair.generate().publicKey],
    quorum,
    submissionDeadline: new BN(now + 3600),
    reviewDeadline: new BN(now + 7200),
    allowPermanentDelegate: false,
    initialFunding: new BN(0),
    reviewFee: new BN(0),
    submissionBond: new BN(0),
  });
  const bounty = (nonce: number) =>
    PublicKey.findProgramAddressSync(
      [Buffer.from("bounty"), creator.publicKey.toBuffer(), Buffer.alloc(32, 3), new BN(nonce).toArrayLike(Buffer, "le", 8)],
      program.programId,
    )[0];
  const create = (nonce: number, quorum: number) =>
    program.methods
      .bountyCreate(args(nonce, quorum))
      .accountsPartial({
        payer: creator.publicKey,
        creator: creator.publicKey,
        bounty: bounty(nonce),
        mint: mint.publicKey,
        creatorTokenAccount: null,
        tokenProgram: TOKEN_PROGRAM,
      });

  // .rpc() sends and confirms through signatureSubscribe.
  await create(0, 1).rpc();
  // By name, as a dApp reading the IDL at run time does (the fields read here are typed).
  type BountyFields = { quorum: number; reviewers: PublicKey[]; reviewerGenerations: number[]; parkedFees: unknown[] };
  const accounts: Record<string, anchor.AccountClient<any, any, any, BountyFields>> = program.account;
  const all = await accounts.bounty.all();
  assert.equal(all.length, 1);
  assert.ok(all[0].publicKey.equals(bounty(0)));
  assert.equal(all[0].account.quorum, 1);
  assert.deepEqual(all[0].account.parkedFees, [], "the layout's last field decodes");

  // The creator gives the reviewer's slot to a new key; Anchor resolves the event
  // accounts itself. Nothing is owed, so nothing is parked.
  const successor = Keypair.generate().publicKey;
  await program.methods
    .bountyReviewerReplace({ oldReviewer: all[0].account.reviewers[0], newReviewer: successor })
    .accountsPartial({ creator: creator.publicKey, bounty: bounty(0) })
    .rpc();
  const replaced = await accounts.bounty.fetch(bounty(0));
  assert.ok(replaced.reviewers[0].equals(successor));
  assert.deepEqual([replaced.reviewerGenerations, replaced.parkedFees], [[1], []]);

  // A quorum larger than the reviewer list: Anchor's error translation finds the
  // AnchorError line in the logs.
  await assert.rejects(create(1, 5).rpc(), (err: unknown) => {
    assert.ok(err instanceof AnchorError, String(err));
    const expected = idl.errors.find((e: { code: number }) => e.code === err.error.errorCode.number);
    assert.ok(expected, `error ${err.error.errorCode.number} is one of the program's`);
    assert.equal(err.error.errorCode.code, expected.name);
    assert.equal(err.error.errorMessage, expected.msg);
    assert.ok(err.program.equals(program.programId));
    console.log(`quorum 5 of 1 refused: ${err.error.errorCode.code}: ${err.error.errorMessage}`);
    return true;
  });
});
