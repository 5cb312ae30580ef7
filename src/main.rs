//! The `dynphase` command-line tool; see `dynphase --help`.

fn main() {
    // `dynphase … | head` closes standard output early; printing then fails with a broken
    // pipe. Stop quietly with the shell's status for a process ended by SIGPIPE (128 + 13)
    // instead of reporting a panic.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info)
    }));
    std::process::exit(dynphase::cli::main());
}
