// The reads dApps and wallets make, through @solana/kit and @solana/web3.js, on a token
// made by the test: getProgramAccounts filters, encodings and context, the token reads,
// the blockhash's validity against the block height, and a parsed transaction.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateKeyPairSigner, type Address } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { LAMPORTS_PER_SOL, PublicKey, sendAndConfirmTransaction, SystemProgram, Transaction } from "@solana/web3.js";
import { decompress } from "fzstd";
import { createMint, mintTo } from "./kit";
import { clientsPerFile, kit, payer, web3 } from "./clients";

/** A 6-decimal token of `payer`'s, 1.234567 of it held by `holder` in `ata`. */
let mint: Address;
let holder: Address;
let ata: Address;

clientsPerFile(async () => {
  const mintKey = await generateKeyPairSigner();
  await createMint(kit.send, kit.rpc, payer, mintKey);
  mint = mintKey.address;
  holder = (await generateKeyPairSigner()).address;
  ata = await mintTo(kit.send, payer, mint, holder, 1_234_567n);
});

/** Token accounts (165 bytes) whose owner (at offset 32) is `owner`. */
const tokenAccountsOf = (owner: Address) => [{ dataSize: 165n }, { memcmp: { offset: 32n, bytes: owner, encoding: "base58" as const } }];

test("getProgramAccounts: dataSize selects, base64+zstd decodes to the base64 bytes", async () => {
  const { rpc } = kit;
  const plain = await rpc
    .getProgramAccounts(TOKEN_PROGRAM_ADDRESS, { commitment: "confirmed", encoding: "base64", filters: tokenAccountsOf(holder) })
    .send();
  assert.deepEqual(
    plain.map((a) => a.pubkey),
    [ata],
  );
  const bytes = Buffer.from(plain[0].account.data[0], "base64");
  assert.equal(bytes.length, 165);
  assert.equal(bytes.readBigUInt64LE(64), 1_234_567n);

  // The mint is 82 bytes, its mint authority at offset 4: dataSize picks it, not the token account.
  const authorityIs = { memcmp: { offset: 4n, bytes: payer.address, encoding: "base58" as const } };
  const mints = await rpc
    .getProgramAccounts(TOKEN_PROGRAM_ADDRESS, { commitment: "confirmed", encoding: "base64", filters: [{ dataSize: 82n }, authorityIs] })
    .send();
  assert.deepEqual(
    mints.map((a) => a.pubkey),
    [mint],
  );
  const none = await rpc
    .getProgramAccounts(TOKEN_PROGRAM_ADDRESS, { commitment: "confirmed", encoding: "base64", filters: [{ dataSize: 83n }, authorityIs] })
    .send();
  assert.deepEqual(none, []);

  const zstd = await rpc
    .getProgramAccounts(TOKEN_PROGRAM_ADDRESS, { commitment: "confirmed", encoding: "base64+zstd", filters: tokenAccountsOf(holder) })
    .send();
  assert.equal(zstd.length, 1);
  assert.equal(zstd[0].account.data[1], "base64+zstd");
  assert.deepEqual(Buffer.from(decompress(Buffer.from(zstd[0].account.data[0], "base64"))), bytes);
  const { value: info } = await rpc.getAccountInfo(ata, { commitment: "confirmed", encoding: "base64+zstd" }).send();
  assert.ok(info);
  assert.deepEqual(Buffer.from(decompress(Buffer.from(info.data[0], "base64"))), bytes);
});

test("getProgramAccounts withContext: the slot and the accounts", async () => {
  const { rpc } = kit;
  const before = await rpc.getSlot({ commitment: "confirmed" }).send();
  const reply = await rpc
    .getProgramAccounts(TOKEN_PROGRAM_ADDRESS, {
      commitment: "confirmed",
      encoding: "base64",
      filters: tokenAccountsOf(holder),
      withContext: true,
    })
    .send();
  assert.ok(reply.context.slot >= before, `${reply.context.slot} < ${before}`);
  assert.deepEqual(
    reply.value.map((a) => a.pubkey),
    [ata],
  );
});

test("token reads: getTokenSupply, getTokenAccountBalance, getTokenAccountsByOwner (kit and web3.js)", async () => {
  const { rpc } = kit;
  const expected = { amount: "1234567", decimals: 6, uiAmountString: "1.234567" };
  const { value: supply } = await rpc.getTokenSupply(mint, { commitment: "confirmed" }).send();
  assert.deepEqual({ amount: supply.amount, decimals: supply.decimals, uiAmountString: supply.uiAmountString }, expected);
  const { value: balance } = await rpc.getTokenAccountBalance(ata, { commitment: "confirmed" }).send();
  assert.deepEqual({ amount: balance.amount, decimals: balance.decimals, uiAmountString: balance.uiAmountString }, expected);
  assert.equal(balance.uiAmount, 1.234567);

  for (const filter of [{ mint }, { programId: TOKEN_PROGRAM_ADDRESS }]) {
    const { value: accounts } = await rpc
      .getTokenAccountsByOwner(holder, filter, { commitment: "confirmed", encoding: "jsonParsed" })
      .send();
    assert.equal(accounts.length, 1, JSON.stringify(filter));
    assert.equal(accounts[0].pubkey, ata);
    const { parsed, program } = accounts[0].account.data;
    assert.equal(program, "spl-token");
    assert.equal(parsed.type, "account");
    assert.equal(parsed.info.mint, mint);
    assert.equal(parsed.info.owner, holder);
    assert.equal(parsed.info.state, "initialized");
    assert.equal(parsed.info.tokenAmount.amount, "1234567");
    assert.equal(parsed.info.tokenAmount.uiAmountString, "1.234567");
  }
  const { value: others } = await rpc
    .getTokenAccountsByOwner(payer.address, { mint }, { commitment: "confirmed", encoding: "base64" })
    .send();
  assert.deepEqual(others, []);

  const { value: parsed } = await web3.connection.getParsedTokenAccountsByOwner(new PublicKey(holder), { mint: new PublicKey(mint) });
  assert.equal(parsed.length, 1);
  assert.equal(parsed[0].pubkey.toBase58(), ata);
  assert.equal(parsed[0].account.data.parsed.info.tokenAmount.uiAmount, 1.234567);
  assert.equal((await web3.connection.getTokenSupply(new PublicKey(mint))).value.amount, "1234567");
});

/** getLatestBlockhash at `commitment`, with its lastValidBlockHeight checked against getBlockHeight at the same commitment. */
async function blockhashAgainstHeight(commitment: "processed" | "confirmed" | "finalized") {
  const { rpc } = kit;
  const before = await rpc.getBlockHeight({ commitment }).send();
  const { value: latest, context } = await rpc.getLatestBlockhash({ commitment }).send();
  const after = await rpc.getBlockHeight({ commitment }).send();
  // A cluster hands out the newest blockhash of the bank at that commitment, valid for
  // 150 blocks after that bank's height.
  assert.ok(
    before + 150n <= latest.lastValidBlockHeight && latest.lastValidBlockHeight <= after + 150n,
    `${commitment}: ${latest.lastValidBlockHeight} against heights ${before}..${after}`,
  );
  assert.ok(context.slot >= before);
  assert.equal((await rpc.isBlockhashValid(latest.blockhash, { commitment }).send()).value, true);
}

test("getLatestBlockhash: lastValidBlockHeight is 150 blocks past the block height", async () => {
  const { rpc } = kit;
  await blockhashAgainstHeight("processed");
  const epoch = await rpc.getEpochInfo({ commitment: "confirmed" }).send();
  const height = await rpc.getBlockHeight({ commitment: "confirmed" }).send();
  assert.ok(epoch.blockHeight <= height && epoch.blockHeight <= epoch.absoluteSlot);
  // Block height counts blocks, the slot counts slots (some of which may have none).
  const processedHeight = await rpc.getBlockHeight({ commitment: "processed" }).send();
  assert.ok(processedHeight <= (await rpc.getSlot({ commitment: "processed" }).send()));
  // web3.js reads the same pair.
  const { lastValidBlockHeight } = await web3.connection.getLatestBlockhash("processed");
  assert.ok(lastValidBlockHeight >= Number(height) + 150);
});

test(
  "getLatestBlockhash at confirmed and finalized: that bank's blockhash, valid 150 blocks past its height",
  async () => {
    await blockhashAgainstHeight("confirmed");
    await blockhashAgainstHeight("finalized");
  },
);

test("web3.js getParsedTransaction: a transfer, parsed", async () => {
  const { connection } = web3;
  const from = await web3.funded();
  const to = PublicKey.unique();
  const signature = await sendAndConfirmTransaction(
    connection,
    new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: LAMPORTS_PER_SOL / 10 })),
    [from],
  );
  const tx = await connection.getParsedTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
  assert.ok(tx?.meta);
  assert.equal(tx.meta.err, null);
  const keys = tx.transaction.message.accountKeys;
  assert.deepEqual(
    keys.map((k) => [k.pubkey.toBase58(), k.signer, k.writable]),
    [
      [from.publicKey.toBase58(), true, true],
      [to.toBase58(), false, true],
      [SystemProgram.programId.toBase58(), false, false],
    ],
  );
  const [ix] = tx.transaction.message.instructions;
  assert.ok("parsed" in ix, "the instruction comes parsed");
  assert.equal(ix.program, "system");
  assert.deepEqual(ix.parsed, {
    type: "transfer",
    info: { source: from.publicKey.toBase58(), destination: to.toBase58(), lamports: LAMPORTS_PER_SOL / 10 },
  });
});
