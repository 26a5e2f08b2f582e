use clap::Parser;
use seglab::cli::{execute, Cli};
use seglab::signals;

fn main() {
    let cli = Cli::parse();
    if let Err(e) = signals::install() {
        eprintln!("warning: cannot handle termination signals: {e}");
    }
    if let Err(e) = execute(cli) {
        // A signal made this step fail (its output folder was removed under it): the signal's
        // exit code, not a misleading error.
        if let Some(signal) = signals::received() {
            signals::terminate(signal);
        }
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
