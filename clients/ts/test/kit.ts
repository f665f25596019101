// How the test files use @solana/kit against the local chain: an RPC and PubSub client,
// v0 transactions from a fee payer on the latest blockhash (signed by every signer their
// instructions name), funded keys, and a test token.
import {
  airdropFactory,
  appendTransactionMessageInstructions,
  assertIsTransactionWithBlockhashLifetime,
  compressTransactionMessageUsingAddressLookupTables,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  generateKeyPairSigner,
  getSignatureFromTransaction,
  lamports,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type AddressesByLookupTableAddress,
  type Commitment,
  type Instruction,
  type KeyPairSigner,
  type Rpc,
  type RpcSubscriptions,
  type Signature,
  type SolanaRpcApi,
  type SolanaRpcSubscriptionsApi,
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
import type { Localnet } from "./localnet";

export type KitRpc = Rpc<SolanaRpcApi>;
export type KitSubscriptions = RpcSubscriptions<SolanaRpcSubscriptionsApi>;

/**
 * `instructions` paid by `payer`, on the latest blockhash at `commitment`, signed; the
 * accounts found in `lookupTables` are taken from them.
 */
export async function signedTransaction(
  rpc: KitRpc,
  payer: TransactionSigner,
  instructions: readonly Instruction[],
  commitment: Commitment = "confirmed",
  lookupTables: AddressesByLookupTableAddress = {},
) {
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => compressTransactionMessageUsingAddressLookupTables(m, lookupTables),
  );
  const signed = await signTransactionMessageWithSigners(message);
  // The signer's type forgets which lifetime the message had; sendAndConfirm needs it.
  assertIsTransactionWithBlockhashLifetime(signed);
  return signed;
}

/** @solana/kit's clients of the local chain, and how the tests send and fund with them. */
export function kitClient(chain: Localnet) {
  const rpc: KitRpc = createSolanaRpc(chain.url);
  const rpcSubscriptions: KitSubscriptions = createSolanaRpcSubscriptions(chain.wsUrl);
  const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
  const airdrop = airdropFactory({ rpc, rpcSubscriptions });

  /** Sends `instructions` paid by `payer` and waits until they are confirmed. */
  async function send(payer: TransactionSigner, instructions: readonly Instruction[]): Promise<Signature> {
    const signed = await signedTransaction(rpc, payer, instructions);
    await sendAndConfirm(signed, { commitment: "confirmed" });
    return getSignatureFromTransaction(signed);
  }
  /** `count` new keys, each with `amount` lamports (2 SOL unless told). */
  async function funded(count: number, amount = 2_000_000_000n): Promise<KeyPairSigner[]> {
    const keys = await Promise.all(Array.from({ length: count }, () => generateKeyPairSigner()));
    for (const who of keys) {
      await airdrop({ recipientAddress: who.address, lamports: lamports(amount), commitment: "confirmed" });
    }
    return keys;
  }
  return { rpc, rpcSubscriptions, sendAndConfirm, airdrop, send, funded };
}

export type Send = ReturnType<typeof kitClient>["send"];

/** A test token with `decimals` (6 unless told) whose mint authority is `authority`. */
export async function createMint(send: Send, rpc: KitRpc, authority: TransactionSigner, mint: TransactionSigner, decimals = 6) {
  const space = 82n;
  const rent = await rpc.getMinimumBalanceForRentExemption(space).send();
  await send(authority, [
    getCreateAccountInstruction({ payer: authority, newAccount: mint, lamports: rent, space, programAddress: TOKEN_PROGRAM_ADDRESS }),
    getInitializeMint2Instruction({ mint: mint.address, decimals, mintAuthority: authority.address }),
  ]);
}

/** Mints `amount` base units to `owner`'s associated token account, created on the way: its address. */
export async function mintTo(send: Send, authority: TransactionSigner, mint: Address, owner: Address, amount: bigint) {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  await send(authority, [
    getCreateAssociatedTokenIdempotentInstruction({ payer: authority, ata, owner, mint }),
    getMintToInstruction({ mint, token: ata, mintAuthority: authority, amount }),
  ]);
  return ata;
}

/** The first item `iterable` yields (start iterating before the event that produces it). */
export async function first<T>(iterable: AsyncIterable<T>): Promise<T> {
  for await (const item of iterable) return item;
  throw new Error("subscription ended");
}

/**
 * Records what `iterable` yields as it arrives (start it before the events that produce
 * its items): `items` so far, `until(test)` waits for them to pass `test`, `ended` once
 * the iteration is over.
 */
export function recorder<T>(iterable: AsyncIterable<T>) {
  const items: T[] = [];
  let over = false;
  const ended = (async () => {
    try {
      for await (const item of iterable) items.push(item);
    } catch {
      // An aborted subscription ends its iteration by throwing.
    }
    over = true;
  })();
  async function until(test: (items: T[]) => boolean, what = "notifications", ms = 30_000): Promise<T[]> {
    for (const start = Date.now(); !test(items); await sleep(20)) {
      if (over || Date.now() - start > ms) throw new Error(`${what}: got ${items.length} (${over ? "ended" : `in ${ms} ms`})`);
    }
    return items;
  }
  return { items, until, ended, isOver: () => over };
}

/** `signature`'s transaction once it is confirmed (polled: a failed one is confirmed too). */
export async function landed(rpc: KitRpc, signature: Signature) {
  for (let tries = 0; tries < 300; tries++) {
    const tx = await rpc
      .getTransaction(signature, { commitment: "confirmed", encoding: "json", maxSupportedTransactionVersion: 0 })
      .send();
    if (tx) return tx;
    await sleep(100);
  }
  throw new Error(`${signature} was not confirmed within 30 s`);
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
