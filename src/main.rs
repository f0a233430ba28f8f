//! `lantern`: the native command line over the same code the extension runs (models, extraction).
//! Subcommands arrive with the features they serve.

mod cli;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "lantern",
    version = env!("LANTERN_MANIFEST_VERSION"),
    about = "Lantern's models and page extraction, outside the browser"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Print the message protocol's version and request types, as JSON.
    Protocol,
    /// Generate text with a local GGUF chat model.
    Generate(cli::generate::GenerateArgs),
}

fn main() {
    match Cli::parse().command {
        Command::Protocol => {
            let mut types: Vec<_> = protocol::Request::examples()
                .iter()
                .map(|r| serde_json::json!({"type": r.type_name(), "target": r.home().as_str()}))
                .collect();
            types.dedup();
            let out = serde_json::json!({"version": protocol::VERSION, "requests": types});
            println!("{out}");
        }
        Command::Generate(args) => {
            if let Err(e) = cli::generate::run(args) {
                eprintln!("lantern generate: {e}");
                std::process::exit(1);
            }
        }
    }
}
