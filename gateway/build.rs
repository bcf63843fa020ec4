//! The migrations and the message catalogs are embedded in the binary: rebuild when a file is
//! added to or changed in either folder.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=messages");
}
