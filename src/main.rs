//! The `dynphase` command-line tool; see `dynphase --help`.

fn main() {
    std::process::exit(dynphase::cli::main());
}
