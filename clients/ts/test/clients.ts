// One local chain per test file, with the clients the tests use on it: @solana/kit's,
// @solana/web3.js's, and a funded payer.
import { after, before } from "node:test";
import type { KeyPairSigner } from "@solana/kit";
import { kitClient } from "./kit";
import { startLocalnet, type Localnet } from "./localnet";
import { web3Client } from "./web3";

export type KitClient = ReturnType<typeof kitClient>;
export type Web3Client = ReturnType<typeof web3Client>;

// The clients of the test file that calls `clientsPerFile`, set before its tests run.
// `node --test` runs each test file in a process of its own, so each file has its own.
export let kit: KitClient;
export let web3: Web3Client;
export let payer: KeyPairSigner;

/** Starts a chain before the file's tests and stops it after them; `kit`, `web3` and
 * `payer` are ready when `setUp` runs, which may set up more on them before the tests. */
export function clientsPerFile(setUp?: () => unknown) {
  let chain: Localnet | undefined;
  before(async () => {
    chain = await startLocalnet();
    kit = kitClient(chain);
    web3 = web3Client(chain);
    [payer] = await kit.funded(1, 10_000_000_000n);
    await setUp?.();
  });
  after(() => {
    // Either may be missing when starting failed.
    web3?.close();
    chain?.stop();
  });
}
