// One local chain per test file, with the clients the tests use on it: @solana/kit's,
// @solana/web3.js's, and a funded payer.
import { after, before } from "node:test";
import type { KeyPairSigner } from "@solana/kit";
import { kitClient } from "./kit";
import { startLocalnet, type Localnet } from "./localnet";
import { web3Client } from "./web3";

export type KitClient = ReturnType<typeof kitClient>;
export type Web3Client = ReturnType<typeof web3Client>;
export type Clients = { kit: KitClient; web3: Web3Client; payer: KeyPairSigner };

/** Starts a chain before the file's tests and stops it after them; `use` gets the clients
 * once they are ready, and may set up more on them before the tests run. */
export function clientsPerFile(use: (clients: Clients) => unknown) {
  let chain: Localnet | undefined;
  let web3: Web3Client | undefined;
  before(async () => {
    chain = await startLocalnet();
    const kit = kitClient(chain);
    web3 = web3Client(chain);
    const [payer] = await kit.funded(1, 10_000_000_000n);
    await use({ kit, web3, payer });
  });
  after(() => {
    web3?.close();
    chain?.stop();
  });
}
