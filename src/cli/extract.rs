//! `lantern extract`: the page extractor on an HTML file, as the extension runs it on a tab.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The page's HTML file ("-" reads standard input).
    #[arg(long)]
    html: PathBuf,
    /// The page's address, passed through to the result.
    #[arg(long)]
    url: Option<String>,
    /// Print the whole article as JSON instead of its title and text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    let html = match read_html(&args.html) {
        Ok(html) => html,
        Err(error) => {
            eprintln!(
                "lantern extract: cannot read {}: {error}",
                args.html.display()
            );
            return ExitCode::FAILURE;
        }
    };
    match content::extract(&html, args.url.as_deref()) {
        Ok(article) if args.json => match serde_json::to_string_pretty(&article) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("lantern extract: {error}");
                ExitCode::FAILURE
            }
        },
        Ok(article) => {
            if !article.title.is_empty() {
                println!("{}\n", article.title);
            }
            println!("{}", article.text);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("lantern extract: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The file's text; bytes that are not UTF-8 become U+FFFD rather than failing the whole page.
fn read_html(path: &PathBuf) -> std::io::Result<String> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        bytes
    } else {
        std::fs::read(path)?
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
