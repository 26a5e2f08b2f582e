use clap::Parser;
use seglab::cli::{run, Cli};

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
