//! The `verify` command (to come: `verify demo` on the embedded sandbox).

fn main() {
    eprintln!("verify: the demo is not built yet");
    std::process::exit(2);
}
