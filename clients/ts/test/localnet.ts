// Starts `databounty-localnet` (built by cargo into the workspace's target/debug, or
// the binary in $DATABOUNTY_LOCALNET) on free ports for one test file.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export type Localnet = { url: string; wsUrl: string; stop: () => void };

export async function startLocalnet(): Promise<Localnet> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
  const binary = process.env.DATABOUNTY_LOCALNET ?? join(root, "target", "debug", "databounty-localnet");
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run \`cargo build -p databounty-localnet\` first`);
  }
  const child: ChildProcess = spawn(binary, ["--port", "0", "--slot-ms", "50", "--finality-slots", "8"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: "error" },
  });
  const lines = createInterface({ input: child.stdout! });
  let url = "";
  let wsUrl = "";
  // A chain that starts but never prints its addresses must fail the file, not hang it.
  const timer = setTimeout(() => child.kill(), 60_000);
  for await (const line of lines) {
    if (line.startsWith("JSON-RPC on ")) url = line.slice("JSON-RPC on ".length);
    if (line.startsWith("PubSub on ")) wsUrl = line.slice("PubSub on ".length);
    if (url && wsUrl) break;
  }
  clearTimeout(timer);
  // Keep draining, so that the chain's later lines never meet a full pipe.
  child.stdout!.resume();
  if (!url || !wsUrl) {
    child.kill();
    throw new Error("the local chain did not print its addresses within 60 s");
  }
  return { url, wsUrl, stop: () => child.kill() };
}
