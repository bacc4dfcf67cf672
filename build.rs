//! Rebuilds when a migration changes: the migrations are embedded in the
//! binary by `embed_migrations!`, which cargo cannot see reading them.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
