// Generates the @solana/kit client in src/generated from the committed IDL with Codama.
//   node scripts/generate.mjs          regenerate (npm run generate)
//   node scripts/generate.mjs --check  fail if src/generated differs from what the IDL gives
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { rootNodeFromAnchor } from "@codama/nodes-from-anchor";
import { renderVisitor } from "@codama/renderers-js";
import { createFromRoot, definedTypeNode, programNode, rootNode } from "codama";

const here = dirname(fileURLToPath(import.meta.url));
const packageFolder = join(here, "..");
const idlPath = join(packageFolder, "..", "..", "idl", "databounty.json");
const check = process.argv.includes("--check");

async function render(folder) {
  const idl = JSON.parse(readFileSync(idlPath, "utf8"));
  const root = rootNodeFromAnchor(idl);
  // The JS renderer renders no event nodes; each event becomes a defined type whose
  // codec starts with the event's 8-byte discriminator (checked when decoding), so
  // getBountyCreatedDecoder() decodes an emit_cpi! event's data after the 8-byte tag.
  const events = (root.program.events ?? []).map((event) =>
    definedTypeNode({ name: event.name, type: event.data, docs: [`Event ${event.name} (emit_cpi!).`] }),
  );
  const program = programNode({
    ...root.program,
    definedTypes: [...root.program.definedTypes, ...events],
    events: [],
  });
  const codama = createFromRoot(rootNode(program, root.additionalPrograms));
  // Only @solana/kit is imported (its subpath exports included), so a dApp needs one dependency.
  await codama.accept(renderVisitor(folder, { syncPackageJson: false, kitImportStrategy: "rootOnly" }));
}

function files(root) {
  const out = new Map();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return out;
}

if (!check) {
  await render(packageFolder);
  console.log(`generated ${relative(process.cwd(), join(packageFolder, "src", "generated"))} from ${relative(process.cwd(), idlPath)}`);
} else {
  const scratch = mkdtempSync(join(tmpdir(), "databounty-client-"));
  try {
    await render(scratch);
    const fresh = files(join(scratch, "src", "generated"));
    const committed = files(join(packageFolder, "src", "generated"));
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter(
      (path) => fresh.get(path) !== committed.get(path),
    );
    if (stale.length > 0) {
      console.error(`clients/ts/src/generated is stale against idl/databounty.json (${stale.join(", ")}): run \`npm run generate\` in clients/ts`);
      process.exit(1);
    }
    console.log(`clients/ts/src/generated matches idl/databounty.json (${fresh.size} files)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
