//! `sqlx::migrate!` embeds the migrations when the crate compiles, but cargo only sees
//! the files it read: a new migration alone would not rebuild the indexer, which would
//! then run without it.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
