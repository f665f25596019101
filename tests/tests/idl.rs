//! The committed IDL (`idl/databounty.json`) must be what the program builds today, so
//! that clients generated from it stay honest. `UPDATE_IDL=1 cargo test --test idl`
//! rewrites it.

use std::path::{Path, PathBuf};

#[test]
fn committed_idl_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let program = root.join("programs/databounty");
    let committed_path = root.join("idl/databounty.json");
    // Building the IDL compiles the program with `idl-build`; a target dir of its own
    // keeps that from invalidating the main build's cache. RUSTUP_TOOLCHAIN would make
    // the builder try to install a toolchain, and there is only one.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("idl-build");
    std::env::set_var("CARGO_TARGET_DIR", &target);
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(program)
        .build()
        .expect("IDL builds");
    let built = serde_json::to_string_pretty(&idl).expect("IDL serializes") + "\n";

    if std::env::var_os("UPDATE_IDL").is_some() {
        std::fs::write(&committed_path, &built).expect("write IDL");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == built,
        "idl/databounty.json is stale: run `UPDATE_IDL=1 cargo test -p databounty-tests --test idl` and commit it"
    );
}

/// Anchor leaves a `/// CHECK:` line out of the IDL and keeps the lines after it, so a
/// description that starts on the CHECK line reaches clients as a fragment. Every doc of
/// the committed IDL must read as whole sentences: a capital (or code) first, a stop last.
#[test]
fn every_idl_doc_is_whole() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("idl/databounty.json")).expect("IDL");
    let idl: serde_json::Value = serde_json::from_str(&text).expect("IDL is JSON");
    let mut broken = Vec::new();
    let mut visit = vec![&idl];
    while let Some(value) = visit.pop() {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(docs) = map.get("docs").and_then(|d| d.as_array()) {
                    let text: Vec<&str> = docs.iter().filter_map(|d| d.as_str()).collect();
                    let joined = text.join(" ");
                    let first = joined.chars().next().unwrap_or(' ');
                    let whole = (first.is_uppercase() || first == '`' || first.is_ascii_digit())
                        && joined.ends_with(['.', ')', ':']);
                    if !whole {
                        broken.push(joined);
                    }
                }
                visit.extend(map.values());
            }
            serde_json::Value::Array(items) => visit.extend(items),
            _ => {}
        }
    }
    assert!(broken.is_empty(), "docs that are fragments: {broken:#?}");
}
