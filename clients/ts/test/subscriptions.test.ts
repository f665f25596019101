// The PubSub websocket as @solana/kit's createSolanaRpcSubscriptions and @solana/web3.js's
// Connection use it: programSubscribe filters, logsSubscribe "all" and "mentions",
// accountSubscribe at processed and finalized, slotSubscribe, and unsubscribing.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import {
  generateKeyPairSigner,
  getSignatureFromTransaction,
  type Address,
} from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { findAssociatedTokenPda, getCreateAssociatedTokenIdempotentInstruction, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { PublicKey } from "@solana/web3.js";
import { createMint, landed, recorder, signedTransaction, sleep } from "./kit";
import { clientsPerFile, kit, payer, web3 } from "./clients";

clientsPerFile();
// Every subscription of a test is aborted when it ends.
let abort: AbortController;


/** Runs `body` with an AbortController that ends its kit subscriptions afterwards. */
function withSubscriptions(body: (t: TestContext) => Promise<void>) {
  return async (t: TestContext) => {
    abort = new AbortController();
    try {
      await body(t);
    } finally {
      abort.abort();
    }
  };
}

const fresh = async () => (await generateKeyPairSigner()).address;

async function transfer(to: Address, amount: bigint) {
  return kit.send(payer, [getTransferSolInstruction({ source: payer, destination: to, amount })]);
}

test(
  "programSubscribe: a dataSize and a memcmp filter each exclude what does not match",
  withSubscriptions(async () => {
    const { rpc, rpcSubscriptions, send } = kit;
    const [owner, other] = [await fresh(), await fresh()];
    const subscribe = (filters: NonNullable<NonNullable<Parameters<typeof rpcSubscriptions.programNotifications>[1]>["filters"]>) =>
      rpcSubscriptions
        .programNotifications(TOKEN_PROGRAM_ADDRESS, { commitment: "confirmed", encoding: "base64", filters })
        .subscribe({ abortSignal: abort.signal })
        .then(recorder);
    // Token accounts are 165 bytes, their owner at offset 32; a mint is 82 bytes.
    const ownerIs = { memcmp: { offset: 32n, bytes: owner, encoding: "base58" as const } };
    const bySize = await subscribe([{ dataSize: 165n }]);
    const byOwner = await subscribe([ownerIs]);
    const byBoth = await subscribe([{ dataSize: 165n }, ownerIs]);

    // A mint (82 bytes), then a token account of another owner, then one of `owner`.
    const mint = await generateKeyPairSigner();
    await createMint(send, rpc, payer, mint);
    const ata = async (who: Address) => (await findAssociatedTokenPda({ owner: who, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS }))[0];
    for (const who of [other, owner]) {
      await send(payer, [getCreateAssociatedTokenIdempotentInstruction({ payer, ata: await ata(who), owner: who, mint: mint.address })]);
    }
    const [otherAta, ownerAta] = [await ata(other), await ata(owner)];

    const pubkeys = (r: { items: { value: { pubkey: Address } }[] }) => r.items.map((n) => n.value.pubkey);
    await bySize.until((items) => items.length >= 2, "dataSize 165");
    await byOwner.until((items) => items.length >= 1, "memcmp owner");
    await byBoth.until((items) => items.length >= 1, "both");
    await sleep(500); // anything else would have arrived by now
    assert.deepEqual(pubkeys(bySize), [otherAta, ownerAta]);
    assert.deepEqual(pubkeys(byOwner), [ownerAta]);
    assert.deepEqual(pubkeys(byBoth), [ownerAta]);
    const [note] = byBoth.items;
    assert.equal(note.value.account.owner, TOKEN_PROGRAM_ADDRESS);
    const data = Buffer.from(note.value.account.data[0], "base64");
    assert.equal(data.length, 165);
    assert.equal(new PublicKey(data.subarray(0, 32)).toBase58(), mint.address);
    assert.equal(new PublicKey(data.subarray(32, 64)).toBase58(), owner);
  }),
);

test(
  'logsSubscribe: "all" sees every transaction, "mentions" only those naming the address',
  withSubscriptions(async () => {
    const { rpcSubscriptions } = kit;
    const [named, unnamed] = [await fresh(), await fresh()];
    const all = recorder(await rpcSubscriptions.logsNotifications("all", { commitment: "confirmed" }).subscribe({ abortSignal: abort.signal }));
    const mentions = recorder(
      await rpcSubscriptions.logsNotifications({ mentions: [named] }, { commitment: "confirmed" }).subscribe({ abortSignal: abort.signal }),
    );
    const first = await transfer(unnamed, 1_000_000n);
    const second = await transfer(named, 1_000_000n);
    await all.until((items) => [first, second].every((s) => items.some((n) => n.value.signature === s)), '"all"');
    await mentions.until((items) => items.length >= 1, '"mentions"');
    await sleep(500);
    assert.deepEqual(
      mentions.items.map((n) => n.value.signature),
      [second],
    );
    const note = mentions.items[0].value;
    assert.equal(note.err, null);
    assert.deepEqual(note.logs, ["Program 11111111111111111111111111111111 invoke [1]", "Program 11111111111111111111111111111111 success"]);
    const seen = all.items.find((n) => n.value.signature === first)!;
    assert.deepEqual(seen.value.logs, note.logs);
  }),
);

test(
  "accountSubscribe at processed and at finalized: each notification carries that commitment's state",
  withSubscriptions(async (t) => {
    const { rpc, rpcSubscriptions } = kit;
    const recipient = await fresh();
    const sub = async (commitment: "processed" | "finalized") =>
      recorder(
        await rpcSubscriptions.accountNotifications(recipient, { commitment, encoding: "base64" }).subscribe({ abortSignal: abort.signal }),
      );
    const [processed, finalized] = [await sub("processed"), await sub("finalized")];
    // Two transfers in successive slots, the second landing before the first is
    // finalized (8 slots of 50 ms here): a finalized notification for the first slot
    // that read the processed bank would carry both.
    const sent = [];
    for (const amount of [1_000_000n, 2_000_000n]) {
      const slot = await rpc.getSlot({ commitment: "processed" }).send();
      while ((await rpc.getSlot({ commitment: "processed" }).send()) === slot) await sleep(10);
      const signed = await signedTransaction(rpc, payer, [getTransferSolInstruction({ source: payer, destination: recipient, amount })], "processed");
      await kit.sendAndConfirm(signed, { commitment: "processed" });
      sent.push({ amount, signature: getSignatureFromTransaction(signed) });
    }
    const slots = await Promise.all(sent.map(async (s) => ({ ...s, slot: (await landed(rpc, s.signature)).slot })));
    assert.ok(slots[0].slot < slots[1].slot);
    if (slots[1].slot - slots[0].slot >= 8n) t.diagnostic("the second transfer landed after the first was finalized: this run shows less");
    /** The balance the chain had at the end of `slot`. */
    const balanceAt = (slot: bigint) => slots.filter((s) => s.slot <= slot).reduce((sum, s) => sum + s.amount, 0n);
    const total = 3_000_000n;
    await processed.until((items) => items.some((n) => n.value.lamports === total), "processed");
    await finalized.until((items) => items.some((n) => n.value.lamports === total), "finalized", 60_000);

    // One notification per slot that changed the account (at finalized, once that slot
    // is): never a balance the bank did not have at the notification's slot.
    const expected = [...new Set(slots.map((s) => s.slot))].map(balanceAt);
    assert.deepEqual(processed.items.map((n) => n.value.lamports), expected);
    assert.deepEqual(finalized.items.map((n) => n.value.lamports), expected);
    for (const n of finalized.items) assert.equal(n.value.lamports, balanceAt(n.context.slot), `at slot ${n.context.slot}`);
    const finalizedSlot = await rpc.getSlot({ commitment: "finalized" }).send();
    assert.ok(finalized.items.every((n) => n.context.slot <= finalizedSlot));
  }),
);

test(
  "slotSubscribe: every new slot, after its parent, ahead of the root",
  withSubscriptions(async () => {
    const slots = recorder(await kit.rpcSubscriptions.slotNotifications().subscribe({ abortSignal: abort.signal }));
    await slots.until((items) => items.length >= 5, "slots");
    const got = slots.items.slice(0, 5);
    for (const [i, n] of got.entries()) {
      assert.ok(n.parent < n.slot && n.root < n.slot, JSON.stringify(n, (_, v) => (typeof v === "bigint" ? String(v) : v)));
      if (i > 0) assert.ok(n.slot > got[i - 1].slot && n.root >= got[i - 1].root);
    }
    const processed = await kit.rpc.getSlot({ commitment: "processed" }).send();
    assert.ok(processed >= got[4].slot);
  }),
);

test("unsubscribing: web3.js removeAccountChangeListener and kit's abort stop the notifications", async () => {
  const { connection } = web3;
  const watched = await fresh();
  const key = new PublicKey(watched);
  // web3.js: two listeners on one websocket; one is removed after the first change.
  const removedCalls: number[] = [];
  const keptCalls: number[] = [];
  // Both clients share one server subscription between identical requests, so each pair
  // differs (in commitment, in encoding) to make the removal reach the chain.
  const removed = connection.onAccountChange(key, (info) => removedCalls.push(info.lamports), { commitment: "confirmed" });
  const kept = connection.onAccountChange(key, (info) => keptCalls.push(info.lamports), { commitment: "processed" });
  // kit: two subscriptions; one is aborted after the first change.
  const stop = new AbortController();
  const keep = new AbortController();
  const aborted = recorder(
    await kit.rpcSubscriptions.accountNotifications(watched, { commitment: "confirmed" }).subscribe({ abortSignal: stop.signal }),
  );
  const live = recorder(
    await kit.rpcSubscriptions.accountNotifications(watched, { commitment: "confirmed", encoding: "base64" }).subscribe({ abortSignal: keep.signal }),
  );
  try {
    await sleep(1000); // web3.js subscribes in the background
    await transfer(watched, 1_000_000n);
    await live.until((items) => items.length === 1, "kit, first change");
    await aborted.until((items) => items.length === 1, "kit aborted, first change");
    for (let i = 0; i < 100 && (removedCalls.length < 1 || keptCalls.length < 1); i++) await sleep(50);
    assert.deepEqual([removedCalls, keptCalls], [[1_000_000], [1_000_000]]);

    await connection.removeAccountChangeListener(removed);
    stop.abort();
    await aborted.ended;
    await transfer(watched, 2_000_000n);
    await live.until((items) => items.length === 2, "kit, second change");
    for (let i = 0; i < 100 && keptCalls.length < 2; i++) await sleep(50);
    await sleep(500);
    assert.deepEqual(keptCalls, [1_000_000, 3_000_000]);
    assert.deepEqual(removedCalls, [1_000_000]);
    assert.deepEqual(aborted.items.map((n) => n.value.lamports), [1_000_000n]);
    assert.deepEqual(live.items.map((n) => n.value.lamports), [1_000_000n, 3_000_000n]);
  } finally {
    keep.abort();
    await connection.removeAccountChangeListener(kept);
  }
});
