// The committed client is what Codama generates from the committed IDL today.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test("src/generated is fresh against idl/databounty.json", () => {
  const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "generate.mjs");
  const run = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr || run.stdout);
});
