//! The user CLI must not compile the Agave bank: only `databounty-localnet` may
//! depend on `solana-program-test` / `solana-runtime`. Checked by walking Cargo.lock
//! (the resolved graph; cheap and offline) from `databounty-cli`.

use std::collections::{BTreeSet, HashMap};

/// Cargo.lock's packages: `(name, version)` → its dependencies as the lock names them
/// (`name` or `name version` or `name version (source)`).
fn lock_graph() -> HashMap<(String, String), Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    let text = std::fs::read_to_string(path).expect("Cargo.lock");
    let mut graph = HashMap::new();
    for block in text.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block
                .lines()
                .find_map(|line| line.strip_prefix(&format!("{key} = \"")))
                .map(|rest| rest.trim_end_matches('"').to_string())
                .unwrap_or_default()
        };
        let dependencies = block
            .split_once("dependencies = [")
            .map(|(_, rest)| rest.split(']').next().unwrap_or_default())
            .unwrap_or_default()
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        graph.insert((field("name"), field("version")), dependencies);
    }
    graph
}

/// The names of every package `root` reaches.
fn reachable(root: &str) -> BTreeSet<String> {
    let graph = lock_graph();
    let version_of = |name: &str| {
        graph
            .keys()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"))
    };
    let mut seen = BTreeSet::new();
    let mut stack = vec![(root.to_string(), version_of(root))];
    while let Some(package) = stack.pop() {
        if !seen.insert(package.clone()) {
            continue;
        }
        for dependency in &graph[&package] {
            let mut parts = dependency.split(' ');
            let name = parts.next().unwrap_or_default().to_string();
            let version = parts
                .next()
                .map_or_else(|| version_of(&name), str::to_string);
            stack.push((name, version));
        }
    }
    seen.into_iter().map(|(name, _)| name).collect()
}

#[test]
fn the_cli_does_not_depend_on_the_bank() {
    let cli = reachable("databounty-cli");
    assert!(cli.contains("solana-client"), "the walk follows the graph");
    for bank in [
        "solana-program-test",
        "solana-runtime",
        "databounty-localnet",
    ] {
        assert!(!cli.contains(bank), "databounty-cli depends on {bank}");
    }
    // The walk would see it: the local chain does depend on the bank.
    assert!(reachable("databounty-localnet").contains("solana-runtime"));
}
