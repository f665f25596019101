// How the test files use @solana/web3.js against the local chain: a Connection whose
// websocket is the chain's PubSub, funded keys, and address lookup tables made by the
// real lookup-table program.
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  sendAndConfirmTransaction,
  Transaction,
} from "@solana/web3.js";
import { sleep } from "./kit";
import type { Localnet } from "./localnet";

export function web3Client(chain: Localnet) {
  const connection = new Connection(chain.url, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
  /** A new key with `sol` SOL (2 unless told), airdropped and confirmed. */
  async function funded(sol = 2): Promise<Keypair> {
    const key = Keypair.generate();
    const airdrop = await connection.requestAirdrop(key.publicKey, sol * LAMPORTS_PER_SOL);
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
    await connection.confirmTransaction({ signature: airdrop, blockhash, lastValidBlockHeight }, "confirmed");
    return key;
  }
  /** web3.js keeps its websocket (and reconnects it) for as long as it lives. */
  function close() {
    (connection as unknown as { _rpcWebSocket: { close(): void } })._rpcWebSocket.close();
  }
  return { connection, funded, close };
}

/**
 * A lookup table holding `addresses`, created and extended (20 at a time: a packet's
 * worth) by the lookup-table program with `payer` as its authority, read back once its
 * extensions are usable (from the slot after the last one).
 */
export async function lookupTable(connection: Connection, payer: Keypair, addresses: PublicKey[]): Promise<AddressLookupTableAccount> {
  const [create, table] = AddressLookupTableProgram.createLookupTable({
    authority: payer.publicKey,
    payer: payer.publicKey,
    recentSlot: await connection.getSlot("confirmed"),
  });
  await sendAndConfirmTransaction(connection, new Transaction().add(create), [payer]);
  let slot = 0;
  for (let i = 0; i < addresses.length; i += 20) {
    const extend = AddressLookupTableProgram.extendLookupTable({
      lookupTable: table,
      authority: payer.publicKey,
      payer: payer.publicKey,
      addresses: addresses.slice(i, i + 20),
    });
    const signature = await sendAndConfirmTransaction(connection, new Transaction().add(extend), [payer]);
    slot = (await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 }))!.slot;
  }
  while ((await connection.getSlot("confirmed")) <= slot) await sleep(50);
  const { value } = await connection.getAddressLookupTable(table, { commitment: "confirmed" });
  if (!value) throw new Error(`lookup table ${table.toBase58()} not found`);
  return value;
}
