//! The label catalogs are embedded in the binary: rebuild when a file is added to or changed in
//! `i18n/` (the embedding macro alone does not notice a new file).

fn main() {
    println!("cargo:rerun-if-changed=i18n");
}
