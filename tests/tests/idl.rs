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
