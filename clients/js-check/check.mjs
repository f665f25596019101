// Talks to the local chain with @solana/kit, unmodified: `node check.mjs [URL]`.
// Exits non-zero on the first method whose reply the client cannot use.
import { address, createSolanaRpc, generateKeyPairSigner, lamports } from "@solana/kit";

const url = process.argv[2] ?? "http://127.0.0.1:8899";
const rpc = createSolanaRpc(url);
const check = (name, ok, detail) => {
  if (!ok) {
    console.error(`FAIL ${name}: ${JSON.stringify(detail, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    process.exit(1);
  }
  console.log(`ok   ${name}`);
};

const health = await rpc.getHealth().send();
check("getHealth", health === "ok", health);
const version = await rpc.getVersion().send();
check("getVersion", typeof version["solana-core"] === "string", version);
const slot = await rpc.getSlot({ commitment: "confirmed" }).send();
check("getSlot", typeof slot === "bigint" && slot > 0n, slot);
const { value: blockhash } = await rpc.getLatestBlockhash().send();
check("getLatestBlockhash", blockhash.blockhash.length > 30 && blockhash.lastValidBlockHeight > 0n, blockhash);
const { value: valid } = await rpc.isBlockhashValid(blockhash.blockhash, { commitment: "processed" }).send();
check("isBlockhashValid", valid === true, valid);
const rent = await rpc.getMinimumBalanceForRentExemption(165n).send();
check("getMinimumBalanceForRentExemption", rent > 0n, rent);

const me = await generateKeyPairSigner();
const signature = await rpc.requestAirdrop(me.address, lamports(1_000_000_000n)).send();
check("requestAirdrop", typeof signature === "string", signature);
let status = null;
for (let i = 0; i < 100 && !status; i++) {
  const { value } = await rpc.getSignatureStatuses([signature]).send();
  status = value[0]?.confirmationStatus === "processed" ? null : value[0];
  if (!status) await new Promise((r) => setTimeout(r, 100));
}
check("getSignatureStatuses", status && status.err === null, status);
const { value: balance } = await rpc.getBalance(me.address, { commitment: "confirmed" }).send();
check("getBalance", balance === 1_000_000_000n, balance);
const { value: account } = await rpc.getAccountInfo(me.address, { encoding: "base64", commitment: "confirmed" }).send();
check("getAccountInfo", account && account.lamports === 1_000_000_000n, account);
const { value: accounts } = await rpc
  .getMultipleAccounts([me.address, address("SysvarC1ock11111111111111111111111111111111")], { encoding: "base64" })
  .send();
check("getMultipleAccounts", accounts.length === 2 && accounts[1] !== null, accounts);
const tx = await rpc.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0, encoding: "json" }).send();
check("getTransaction", tx && tx.meta && tx.meta.err === null && tx.blockTime > 0n, tx?.meta);
const sigs = await rpc.getSignaturesForAddress(me.address, { commitment: "confirmed", limit: 10 }).send();
check("getSignaturesForAddress", sigs.length === 1 && sigs[0].signature === signature, sigs);
console.log("all methods answered as @solana/kit expects");
