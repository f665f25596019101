// The local chain as @solana/kit sees it, unmodified: the methods of the former
// clients/js-check, the reads dApps and wallets make, the PubSub subscriptions and the
// limits a cluster enforces.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  address,
  generateKeyPairSigner,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  isSolanaError,
  sendAndConfirmTransactionFactory,
  SOLANA_ERROR__JSON_RPC__INVALID_PARAMS,
  SOLANA_ERROR__JSON_RPC__METHOD_NOT_FOUND,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED,
  type Base64EncodedWireTransaction,
  type KeyPairSigner,
} from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { first, kitClient, signedTransaction, type KitRpc, type KitSubscriptions } from "./kit";
import { startLocalnet, type Localnet } from "./localnet";

let chain: Localnet;
let rpc: KitRpc;
let rpcSubscriptions: KitSubscriptions;
let payer: KeyPairSigner;

before(async () => {
  chain = await startLocalnet();
  const kit = kitClient(chain);
  ({ rpc, rpcSubscriptions } = kit);
  [payer] = await kit.funded(1, 10_000_000_000n);
});
after(() => chain?.stop());

async function transfer(to: string, amount: bigint, commitment: "processed" | "confirmed" | "finalized" = "confirmed") {
  return signedTransaction(rpc, payer, [getTransferSolInstruction({ source: payer, destination: address(to), amount })], commitment);
}

test("the basic methods answer as @solana/kit expects", async () => {
  assert.equal(await rpc.getHealth().send(), "ok");
  assert.equal(typeof (await rpc.getVersion().send())["solana-core"], "string");
  assert.ok((await rpc.getSlot({ commitment: "confirmed" }).send()) > 0n);
  const { value: blockhash } = await rpc.getLatestBlockhash().send();
  assert.ok(blockhash.lastValidBlockHeight > 0n);
  assert.equal((await rpc.isBlockhashValid(blockhash.blockhash, { commitment: "processed" }).send()).value, true);
  assert.ok((await rpc.getMinimumBalanceForRentExemption(165n).send()) > 0n);
  const { value: balance } = await rpc.getBalance(payer.address, { commitment: "confirmed" }).send();
  assert.equal(balance, 10_000_000_000n);
  const { value: accounts } = await rpc
    .getMultipleAccounts([payer.address, address("SysvarC1ock11111111111111111111111111111111")], { encoding: "base64" })
    .send();
  assert.equal(accounts.length, 2);
  assert.ok(accounts[1]);
  const sigs = await rpc.getSignaturesForAddress(payer.address, { commitment: "confirmed", limit: 10 }).send();
  assert.equal(sigs.length, 1);
  const tx = await rpc
    .getTransaction(sigs[0].signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0, encoding: "json" })
    .send();
  assert.ok(tx?.meta && tx.meta.err === null && tx.blockTime! > 0n);
  await assert.rejects(rpc.getStakeMinimumDelegation().send(), (err) => isSolanaError(err, SOLANA_ERROR__JSON_RPC__METHOD_NOT_FOUND));
});

test("reads: epoch, blocks, prioritization fees, token accounts by owner", async () => {
  const epoch = await rpc.getEpochInfo({ commitment: "confirmed" }).send();
  assert.ok(epoch.absoluteSlot > 0n && epoch.slotsInEpoch > 0n);
  const slot = await rpc.getSlot({ commitment: "confirmed" }).send();
  const blocks = await rpc.getBlocks(slot - 3n, slot, { commitment: "confirmed" }).send();
  // As on a cluster, a slot in the range may have no block (the chain's first slots
  // here): the answer is the produced ones, ascending, within the range, ending at `slot`.
  assert.ok(blocks.length >= 2 && blocks.every((b, i) => b >= slot - 3n && b <= slot && (i === 0 || b > blocks[i - 1])));
  assert.equal(blocks[blocks.length - 1], slot);
  const block = await rpc
    .getBlock(slot, { commitment: "confirmed", transactionDetails: "signatures", maxSupportedTransactionVersion: 0, rewards: false })
    .send();
  assert.ok(block && block.blockHeight === slot && Array.isArray(block.signatures));
  const fees = await rpc.getRecentPrioritizationFees([payer.address]).send();
  assert.ok(fees.length > 0 && fees.length <= 150);
  const { value: tokens } = await rpc
    .getTokenAccountsByOwner(payer.address, { programId: address("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA") }, { encoding: "jsonParsed" })
    .send();
  assert.deepEqual(tokens, []);
});

test("subscriptions: slot, account, logs, signature", async () => {
  const abort = new AbortController();
  try {
    const recipient = (await generateKeyPairSigner()).address;
    const slots = await rpcSubscriptions.slotNotifications().subscribe({ abortSignal: abort.signal });
    const accounts = await rpcSubscriptions
      .accountNotifications(recipient, { commitment: "confirmed", encoding: "base64" })
      .subscribe({ abortSignal: abort.signal });
    const logs = await rpcSubscriptions
      .logsNotifications({ mentions: [recipient] }, { commitment: "confirmed" })
      .subscribe({ abortSignal: abort.signal });
    // Each iteration starts before the transaction is sent: kit delivers what arrives
    // after an iterator exists.
    const slot = await first(slots);
    assert.ok(slot.slot > 0n);
    const signed = await transfer(recipient, 1_000_000n);
    const signature = getSignatureFromTransaction(signed);
    const statuses = await rpcSubscriptions
      .signatureNotifications(signature, { commitment: "confirmed" })
      .subscribe({ abortSignal: abort.signal });
    const [status, account, log] = [first(statuses), first(accounts), first(logs)];
    await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();
    assert.equal((await status).value.err, null);
    assert.equal((await account).value.lamports, 1_000_000n);
    const note = await log;
    assert.equal(note.value.signature, signature);
    assert.match(note.value.logs![0], /^Program 11111111111111111111111111111111 invoke \[1\]$/);
  } finally {
    abort.abort();
  }
});

test("limits: packet size, duplicates, the blockhash of every commitment", async () => {
  const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
  const recipient = (await generateKeyPairSigner()).address;
  // Each commitment's blockhash is taken by simulate (sigVerify) and send. Each amount
  // differs: two commitments may give the same blockhash (the processed one of a moment
  // ago is confirmed now), and the same transfer again would be the same transaction.
  const commitments = ["processed", "confirmed", "finalized"] as const;
  for (const [i, commitment] of commitments.entries()) {
    const signed = await transfer(recipient, 1_000_000n + BigInt(i), commitment);
    const wire = getBase64EncodedWireTransaction(signed);
    const { value } = await rpc.simulateTransaction(wire, { encoding: "base64", commitment, sigVerify: true }).send();
    assert.equal(value.err, null, commitment);
    await sendAndConfirm(signed, { commitment: "confirmed" });
    // The same transaction again: already processed.
    await assert.rejects(rpc.sendTransaction(wire, { encoding: "base64" }).send(), (err) => {
      assert.ok(isSolanaError(err, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE));
      assert.ok(isSolanaError(err.cause, SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED), String(err.cause));
      return true;
    });
  }
  // 1,233 bytes: one more than a packet (kit refuses to build one, so pad the wire bytes).
  const signed = await transfer(recipient, 3_000_000n);
  const bytes = Buffer.from(getBase64EncodedWireTransaction(signed), "base64");
  const oversized = Buffer.concat([bytes, Buffer.alloc(1233 - bytes.length)]).toString("base64") as Base64EncodedWireTransaction;
  await assert.rejects(rpc.sendTransaction(oversized, { encoding: "base64" }).send(), (err) => {
    assert.ok(isSolanaError(err, SOLANA_ERROR__JSON_RPC__INVALID_PARAMS), String(err));
    assert.match(String(err.message), /too large: 1233 bytes \(max: encoded\/raw 1644\/1232\)/);
    return true;
  });
});
