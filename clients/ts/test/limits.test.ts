// The limits a cluster enforces, met through @solana/kit and @solana/web3.js with real
// transactions: a bad signature, an expired or unknown blockhash, the 64-account lock
// limit, compute-budget instructions, and v0 transactions whose accounts come from an
// address lookup table made by the real lookup-table program.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  blockhash,
  createTransactionMessage,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  isSolanaError,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  SOLANA_ERROR__INSTRUCTION_ERROR__COMPUTATIONAL_BUDGET_EXCEEDED,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__TOO_MANY_ACCOUNT_LOCKS,
  type Address,
  type Base64EncodedWireTransaction,
} from "@solana/kit";
import { getSetComputeUnitLimitInstruction, getSetComputeUnitPriceInstruction } from "@solana-program/compute-budget";
import { getTransferSolInstruction } from "@solana-program/system";
import { AddressLookupTableAccount, Keypair, SystemProgram, TransactionMessage, VersionedTransaction } from "@solana/web3.js";
import { landed, signedTransaction, sleep } from "./kit";
import { clientsPerFile, kit, payer, web3 } from "./clients";
import { lookupTable } from "./web3";

clientsPerFile();


const wire = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64") as Base64EncodedWireTransaction;

/** Whether `err` is a refused preflight whose transaction error is `code`. */
function preflightRefused(code: Parameters<typeof isSolanaError>[1]) {
  return (err: unknown) => {
    assert.ok(isSolanaError(err, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE), String(err));
    assert.ok(isSolanaError(err.cause, code), String(err.cause));
    return true;
  };
}

async function transfer(to: string, amount: bigint) {
  return signedTransaction(kit.rpc, payer, [getTransferSolInstruction({ source: payer, destination: address(to), amount })]);
}

test("a transaction whose signature does not verify is refused, by send and by simulate with sigVerify", async () => {
  const { rpc } = kit;
  const recipient = Keypair.generate().publicKey.toBase58();
  const bytes = Buffer.from(getBase64EncodedWireTransaction(await transfer(recipient, 1_000_000n)), "base64");
  // Byte 0 is the signature count; flip a bit of the first signature.
  bytes[10] ^= 1;
  const forged = wire(bytes);
  const refused = (err: unknown) => isSolanaError(err, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE);
  await assert.rejects(rpc.sendTransaction(forged, { encoding: "base64" }).send(), refused);
  await assert.rejects(rpc.simulateTransaction(forged, { encoding: "base64", sigVerify: true }).send(), refused);
  assert.equal((await rpc.getBalance(address(recipient), { commitment: "processed" }).send()).value, 0n);
});

/** A transfer of `amount` to `to`, signed on `lifetime` (a blockhash and its lastValidBlockHeight). */
async function transferOn(lifetime: Parameters<typeof setTransactionMessageLifetimeUsingBlockhash>[0], to: Address, amount: bigint) {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions([getTransferSolInstruction({ source: payer, destination: to, amount })], m),
  );
  return getBase64EncodedWireTransaction(await signTransactionMessageWithSigners(message));
}

test("a blockhash expires once the block height passes lastValidBlockHeight; an unknown one is refused", async () => {
  const { rpc } = kit;
  const to = address(Keypair.generate().publicKey.toBase58());
  const { value: latest } = await rpc.getLatestBlockhash({ commitment: "processed" }).send();
  const expiring = await transferOn(latest, to, 1_000_000n);
  // 150 blocks at 50 ms a slot: about 8 s.
  while ((await rpc.getBlockHeight({ commitment: "processed" }).send()) <= latest.lastValidBlockHeight + 1n) await sleep(200);
  assert.equal((await rpc.isBlockhashValid(latest.blockhash, { commitment: "processed" }).send()).value, false);
  await assert.rejects(rpc.sendTransaction(expiring, { encoding: "base64" }).send(), preflightRefused(SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND));
  const { value: simulated } = await rpc.simulateTransaction(expiring, { encoding: "base64", commitment: "processed" }).send();
  assert.equal(simulated.err, "BlockhashNotFound");

  // A blockhash the chain never produced.
  const bogus = blockhash(getBase58Decoder().decode(crypto.getRandomValues(new Uint8Array(32))));
  assert.equal((await rpc.isBlockhashValid(bogus, { commitment: "processed" }).send()).value, false);
  const unknown = await transferOn({ blockhash: bogus, lastValidBlockHeight: latest.lastValidBlockHeight + 200n }, to, 1_000_000n);
  await assert.rejects(rpc.sendTransaction(unknown, { encoding: "base64" }).send(), preflightRefused(SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND));
  assert.equal((await rpc.getBalance(to, { commitment: "processed" }).send()).value, 0n);
});

test("compute budget: a unit limit too low fails the transfer, a unit price is charged and reported", async () => {
  const { rpc } = kit;
  const recipient = address(Keypair.generate().publicKey.toBase58());
  const transferIx = getTransferSolInstruction({ source: payer, destination: recipient, amount: 1_000_000n });

  // 200 units: the compute-budget instruction takes 150 of them, the transfer needs 150.
  const starved = await signedTransaction(rpc, payer, [getSetComputeUnitLimitInstruction({ units: 200 }), transferIx]);
  await assert.rejects(
    rpc.sendTransaction(getBase64EncodedWireTransaction(starved), { encoding: "base64" }).send(),
    preflightRefused(SOLANA_ERROR__INSTRUCTION_ERROR__COMPUTATIONAL_BUDGET_EXCEEDED),
  );
  // Without preflight it lands, failed, and pays its fee, within its 200 units.
  const failed = await rpc.sendTransaction(getBase64EncodedWireTransaction(starved), { encoding: "base64", skipPreflight: true }).send();
  const failedTx = await landed(rpc, failed);
  assert.deepEqual(failedTx.meta?.err, { InstructionError: [1n, "ComputationalBudgetExceeded"] });
  assert.equal(failedTx.meta?.fee, 5_000n);
  assert.ok(failedTx.meta!.computeUnitsConsumed! <= 200n, String(failedTx.meta?.computeUnitsConsumed));
  assert.equal((await rpc.getBalance(recipient, { commitment: "confirmed" }).send()).value, 0n);

  // 10,000 units at 1,000,000 micro-lamports each: 10,000 lamports on top of the signature's 5,000.
  const priced = await signedTransaction(rpc, payer, [
    getSetComputeUnitLimitInstruction({ units: 10_000 }),
    getSetComputeUnitPriceInstruction({ microLamports: 1_000_000n }),
    transferIx,
  ]);
  await kit.sendAndConfirm(priced, { commitment: "confirmed" });
  const pricedTx = await landed(rpc, getSignatureFromTransaction(priced));
  assert.equal(pricedTx.meta?.err, null);
  assert.equal(pricedTx.meta?.fee, 15_000n);
  const fees = await rpc.getRecentPrioritizationFees([payer.address]).send();
  const atSlot = fees.find((f) => f.slot === pricedTx.slot);
  assert.ok(atSlot, `no entry for slot ${pricedTx.slot} in ${fees.length}`);
  assert.equal(atSlot.prioritizationFee, 1_000_000n);
});

test("v0 with a lookup table made by the lookup-table program: sent through web3.js, loadedAddresses reported", async () => {
  const { connection } = web3;
  const owner = await web3.funded(5);
  const recipients = Array.from({ length: 50 }, () => Keypair.generate().publicKey);
  const table = await lookupTable(connection, owner, recipients);
  assert.ok(table.isActive());
  assert.deepEqual(table.state.addresses.map(String), recipients.map(String));
  assert.ok(table.state.authority?.equals(owner.publicKey));

  // 40 transfers: as a legacy message their addresses alone would not fit in a packet.
  const amount = 1_000_000;
  const instructions = recipients
    .slice(0, 40)
    .map((to) => SystemProgram.transfer({ fromPubkey: owner.publicKey, toPubkey: to, lamports: amount }));
  const { blockhash: recentBlockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
  const message = new TransactionMessage({ payerKey: owner.publicKey, recentBlockhash, instructions });
  assert.ok(message.compileToLegacyMessage().accountKeys.length * 32 > 1232);
  const tx = new VersionedTransaction(message.compileToV0Message([table]));
  tx.sign([owner]);
  assert.ok(tx.serialize().length <= 1232, `${tx.serialize().length} bytes`);
  const signature = await connection.sendTransaction(tx);
  const confirmed = await connection.confirmTransaction({ signature, blockhash: recentBlockhash, lastValidBlockHeight }, "confirmed");
  assert.equal(confirmed.value.err, null);

  const got = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
  assert.ok(got?.meta);
  assert.equal(got.version, 0);
  assert.deepEqual(got.transaction.message.addressTableLookups.map((l) => l.accountKey.toBase58()), [table.key.toBase58()]);
  assert.deepEqual(got.meta.loadedAddresses?.writable.map(String), recipients.slice(0, 40).map(String));
  assert.deepEqual(got.meta.loadedAddresses?.readonly, []);
  // Balances cover the static keys (payer, system program), then the loaded ones.
  assert.equal(got.meta.postBalances.length, 2 + 40);
  assert.deepEqual(got.meta.postBalances.slice(2), Array(40).fill(amount));
  for (const to of [recipients[0], recipients[39]]) assert.equal(await connection.getBalance(to), amount);
  assert.equal(await connection.getBalance(recipients[40]), 0);
});

/**
 * A transfer to the table's first address naming `extra` more of its addresses
 * (read-only), its accounts taken from the table, built with web3.js: kit refuses to
 * compile a message over 64 accounts.
 */
async function crowdedTransfer(table: AddressLookupTableAccount, extra: number, from: Keypair) {
  const [to, ...rest] = table.state.addresses;
  const ix = SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: 1_000_000 });
  ix.keys.push(...rest.slice(0, extra).map((pubkey) => ({ pubkey, isSigner: false, isWritable: false })));
  const { blockhash: recentBlockhash } = await web3.connection.getLatestBlockhash();
  const tx = new VersionedTransaction(new TransactionMessage({ payerKey: from.publicKey, recentBlockhash, instructions: [ix] }).compileToV0Message([table]));
  tx.sign([from]);
  assert.ok(tx.serialize().length <= 1232);
  return wire(tx.serialize());
}

let crowdedTable: Awaited<ReturnType<typeof lookupTable>> | undefined;
async function tableOf70() {
  crowdedTable ??= await lookupTable(web3.connection, await web3.funded(), Array.from({ length: 70 }, () => Keypair.generate().publicKey));
  return crowdedTable;
}

test("64 accounts in one transaction are taken, 65 are refused with TooManyAccountLocks", async () => {
  const { rpc } = kit;
  const table = await tableOf70();
  const from = await web3.funded();
  // Payer and system program are static; the recipient and the extras come from the table.
  const at64 = await crowdedTransfer(table, 61, from);
  const at65 = await crowdedTransfer(table, 62, from);
  const signature = await rpc.sendTransaction(at64, { encoding: "base64" }).send();
  const taken = await landed(rpc, signature);
  assert.equal(taken.meta?.err, null);
  const loaded = taken.meta!.loadedAddresses!;
  assert.deepEqual([loaded.writable.length, loaded.readonly.length], [1, 61]);
  await assert.rejects(rpc.sendTransaction(at65, { encoding: "base64" }).send(), preflightRefused(SOLANA_ERROR__TRANSACTION_ERROR__TOO_MANY_ACCOUNT_LOCKS));
  // Kit itself will not build such a message.
  const [to, ...rest] = table.state.addresses.map((a) => address(a.toBase58()));
  const transferIx = getTransferSolInstruction({ source: payer, destination: to, amount: 1_000_000n });
  const crowded = { ...transferIx, accounts: [...transferIx.accounts, ...rest.slice(0, 62).map((a) => ({ address: a, role: AccountRole.READONLY }))] };
  await assert.rejects(signedTransaction(rpc, payer, [crowded], "confirmed", { [address(table.key.toBase58())]: [to, ...rest] }), /maximum allowed is 64/);
});

test(
  "simulateTransaction applies the 64-account lock limit",
  async () => {
    const at65 = await crowdedTransfer(await tableOf70(), 62, await web3.funded());
    const { value } = await kit.rpc.simulateTransaction(at65, { encoding: "base64" }).send();
    assert.equal(value.err, "TooManyAccountLocks");
  },
);
