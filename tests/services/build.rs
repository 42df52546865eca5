//! Decides, once per build, which services the tests can use (see `src/gates.rs`), and
//! hands the reasons for the missing ones to the `#[needs(..)]` macro as
//! `$OUT_DIR/gates.rs`. Cargo runs this again, and rebuilds the tests that use the macro,
//! when one of the variables it reads changes.

use std::path::Path;
use std::process::{Command, Stdio};

#[path = "src/gates.rs"]
mod gates;

use gates::Machine;

/// The machine this build runs on.
struct Here;

impl Machine for Here {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn python_imports(&self, module: &str) -> bool {
        Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/gates.rs");
    for var in gates::tracked_vars() {
        println!("cargo::rerun-if-env-changed={var}");
    }
    let mut table = String::from("&[\n");
    for service in gates::SERVICES {
        let reason = gates::missing(service, &Here);
        table.push_str(&format!("    ({:?}, {reason:?}),\n", service.name));
    }
    table.push_str("]\n");
    let out = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from);
    let Some(out) = out else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    if let Err(e) = std::fs::write(out.join("gates.rs"), table) {
        panic!("cannot write {}: {e}", out.join("gates.rs").display());
    }
}
