// What the IDL cannot carry: PDA derivations with computed seeds, the submission hash
// and the bounty's terms hash (both SHA-256, as the program and the Rust SDK compute
// them), and finding emit_cpi! events in a transaction.
import { createHash } from "node:crypto";
import {
  getAddressEncoder,
  getBase58Encoder,
  getProgramDerivedAddress,
  getU64Encoder,
  type Address,
  type ReadonlyUint8Array,
} from "@solana/kit";
import type { Bounty } from "./generated/accounts/bounty";
import { DATABOUNTY_PROGRAM_ADDRESS } from "./generated/programs";

const text = (s: string) => new TextEncoder().encode(s);
// node:crypto's hash takes a mutable Uint8Array, kit's encoders give read-only views: copy.
const addressBytes = (a: Address) => new Uint8Array(getAddressEncoder().encode(a));

/** `["bounty", creator, dataset_id, nonce_le_u64]` */
export async function findBountyPda(creator: Address, datasetId: ReadonlyUint8Array, nonce: bigint) {
  const [address] = await getProgramDerivedAddress({
    programAddress: DATABOUNTY_PROGRAM_ADDRESS,
    seeds: [text("bounty"), addressBytes(creator), datasetId, getU64Encoder().encode(nonce)],
  });
  return address;
}

/** `["submission", bounty, contributor, hash]` */
export async function findSubmissionPda(bounty: Address, contributor: Address, hash: ReadonlyUint8Array) {
  const [address] = await getProgramDerivedAddress({
    programAddress: DATABOUNTY_PROGRAM_ADDRESS,
    seeds: [text("submission"), addressBytes(bounty), addressBytes(contributor), hash],
  });
  return address;
}

/** `["__event_authority"]`: the account every emit_cpi! event names. */
export async function findEventAuthorityPda() {
  const [address] = await getProgramDerivedAddress({
    programAddress: DATABOUNTY_PROGRAM_ADDRESS,
    seeds: [text("__event_authority")],
  });
  return address;
}

/** `SHA-256("databounty/submission/v1" || bounty || contributor || content_digest)` */
export function submissionHash(bounty: Address, contributor: Address, contentDigest: ReadonlyUint8Array): Uint8Array {
  return new Uint8Array(
    createHash("sha256")
      .update(text("databounty/submission/v1"))
      .update(addressBytes(bounty))
      .update(addressBytes(contributor))
      .update(new Uint8Array(contentDigest))
      .digest(),
  );
}

function le(bytes: number, value: bigint): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** The terms a contributor accepts when submitting (`Bounty::terms_hash` in the program). */
export function termsHash(bounty: Bounty): Uint8Array {
  const uri = text(bounty.metadataUri);
  const hash = createHash("sha256")
    .update(text("databounty/terms/v2"))
    .update(addressBytes(bounty.mint))
    .update(addressBytes(bounty.tokenProgram))
    .update(le(4, BigInt(uri.length)))
    .update(uri)
    .update(le(8, bounty.rewardPerSubmission))
    .update(le(4, BigInt(bounty.maxWinners)))
    .update(Uint8Array.of(bounty.quorum, bounty.reviewers.length));
  for (const reviewer of bounty.reviewers) hash.update(addressBytes(reviewer));
  hash
    .update(le(8, bounty.submissionDeadline))
    .update(le(8, bounty.reviewDeadline))
    .update(Uint8Array.of(bounty.permanentDelegateAllowed ? 1 : 0))
    .update(le(8, bounty.reviewFee))
    .update(le(8, bounty.submissionBond));
  return new Uint8Array(hash.digest());
}

/** The tag Anchor puts before an emit_cpi! event's discriminator and data. */
export const EVENT_IX_TAG = Uint8Array.from([0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d]);

/** An inner instruction as `getTransaction` returns it in `json` encoding. */
type JsonInnerInstruction = { programIdIndex: number; data: string };

/**
 * The data of every emit_cpi! event of our program in a `getTransaction` reply
 * (`encoding: "json"`), each without the 8-byte tag: pass it to the event's decoder,
 * e.g. `getBountyCreatedDecoder().decode(data)`, which checks its discriminator.
 */
export function eventData(tx: {
  transaction: { message: { accountKeys: readonly string[] } };
  meta: { innerInstructions?: readonly { instructions: readonly JsonInnerInstruction[] }[] | null } | null;
}): Uint8Array[] {
  const keys = tx.transaction.message.accountKeys;
  const out: Uint8Array[] = [];
  for (const group of tx.meta?.innerInstructions ?? []) {
    for (const ix of group.instructions) {
      if (keys[ix.programIdIndex] !== DATABOUNTY_PROGRAM_ADDRESS) continue;
      const data = new Uint8Array(getBase58Encoder().encode(ix.data));
      if (data.length >= 16 && EVENT_IX_TAG.every((b, i) => data[i] === b)) out.push(data.slice(8));
    }
  }
  return out;
}

/** The program error Anchor logs (`AnchorError occurred|thrown in|caused by ...`), if any. */
export function anchorErrorFromLogs(
  logs: readonly string[],
): { name: string; number: number; message: string } | null {
  for (const line of logs) {
    const m = /^Program log: AnchorError .*?Error Code: (\w+)\. Error Number: (\d+)\. Error Message: (.*)\.$/.exec(line);
    if (m) return { name: m[1], number: Number(m[2]), message: m[3] };
  }
  return null;
}
