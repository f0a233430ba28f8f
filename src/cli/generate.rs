//! `lantern generate`: runs a GGUF chat model on a raw prompt or a chat (messages and tools),
//! streaming the reply, or printing one JSON object with the ids, text and speeds.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use models::llm::{GenerateOptions, LlmModel, Message, SamplingParams, Session, parse_tool_calls};
use models::profile::{self, Profile};
use protocol::Sampling;
use serde::Deserialize;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["prompt", "chat_json"])))]
pub struct GenerateArgs {
    /// GGUF model file.
    #[arg(long)]
    model: PathBuf,
    /// tokenizer.json to use instead of the tokenizer in the GGUF metadata.
    #[arg(long)]
    tokenizer: Option<PathBuf>,
    /// Raw prompt text (BOS added if the model's metadata asks for it; no chat template).
    #[arg(long)]
    prompt: Option<String>,
    /// A JSON file {"messages": [...], "tools": [...]}, rendered through the chat template.
    #[arg(long)]
    chat_json: Option<PathBuf>,
    #[arg(long, default_value_t = 256)]
    max_tokens: usize,
    // Sampling defaults are the extension's (`protocol::Sampling::default()`), so the CLI answers
    // as the chat does.
    /// 0 for greedy.
    #[arg(long, default_value_t = Sampling::default().temperature)]
    temperature: f32,
    #[arg(long, default_value_t = Sampling::default().top_p)]
    top_p: f32,
    #[arg(long, default_value_t = Sampling::default().top_k)]
    top_k: usize,
    #[arg(long, default_value_t = Sampling::default().min_p)]
    min_p: f32,
    #[arg(long, default_value_t = Sampling::default().repeat_penalty)]
    repeat_penalty: f32,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Context window in tokens (capped at the model's).
    #[arg(long, default_value_t = 4096)]
    ctx: usize,
    /// Keep generating through end-of-turn tokens until --max-tokens (benchmarks).
    #[arg(long)]
    ignore_eos: bool,
    /// Print one JSON object instead of streaming text.
    #[arg(long)]
    json: bool,
    /// Time each operation of the prefill and of the decoding (`profile` in the JSON, or a
    /// table on stderr).
    #[arg(long)]
    profile: bool,
}

#[derive(Deserialize)]
struct ChatFile {
    messages: Vec<Message>,
    #[serde(default)]
    tools: Vec<serde_json::Value>,
}

pub fn run(args: GenerateArgs) -> Result<(), String> {
    let tokenizer_json = match &args.tokenizer {
        Some(p) => Some(std::fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()))?),
        None => None,
    };
    let model = LlmModel::from_path(&args.model, tokenizer_json.as_deref())
        .map_err(|e| format!("loading {}: {e}", args.model.display()))?;
    let mut session = Session::new(Arc::new(model), args.ctx);
    let (prompt, tools) = match (&args.prompt, &args.chat_json) {
        (Some(text), _) => (
            session
                .model()
                .encode_prompt(text)
                .map_err(|e| e.to_string())?,
            false,
        ),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            let chat: ChatFile =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let ids = session
                .chat_prompt(&chat.messages, &chat.tools, args.max_tokens)
                .map_err(|e| e.to_string())?;
            (ids, !chat.tools.is_empty())
        }
        (None, None) => return Err("give --prompt or --chat-json".into()),
    };
    let opts = GenerateOptions {
        sampling: SamplingParams {
            temperature: args.temperature,
            top_k: args.top_k,
            top_p: args.top_p,
            min_p: args.min_p,
            repeat_penalty: args.repeat_penalty,
            seed: args.seed,
            ..SamplingParams::greedy()
        },
        max_tokens: args.max_tokens,
        ignore_eos: args.ignore_eos,
        ..GenerateOptions::default()
    };
    let prompt_tokens = prompt.len();
    // Other engines are fed these exact ids (the LLM bench's llama.cpp runner).
    let prompt_ids = prompt.clone();
    let t0 = Instant::now();
    session.start(prompt, opts).map_err(|e| e.to_string())?;
    let (progress, prefill_profile) = maybe_record(args.profile, || session.prefill());
    let progress = progress.map_err(|e| e.to_string())?;
    let prefill_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut stdout = std::io::stdout();
    let (finish, decode_profile) = maybe_record(args.profile, || {
        loop {
            let step = session.next_token().map_err(|e| e.to_string())?;
            tokens.extend(step.token);
            text.push_str(&step.delta);
            if !args.json {
                // A closed pipe is no reason to stop generating the JSON-less way either.
                let _ = write!(stdout, "{}", step.delta).and_then(|_| stdout.flush());
            }
            if let Some(reason) = step.finished {
                break Ok::<_, String>(reason);
            }
        }
    });
    let finish = finish?;
    let decode_s = t1.elapsed().as_secs_f64();
    let per_s = |n: usize, s: f64| if s > 0.0 { n as f64 / s } else { 0.0 };
    let prefill_tps = per_s(progress.evaluated, prefill_s);
    let decode_tps = per_s(tokens.len().saturating_sub(1), decode_s);
    if args.json {
        let mut out = serde_json::json!({
            "prompt_ids": prompt_ids,
            "tokens": tokens,
            "text": text,
            "prompt_tokens": prompt_tokens,
            "prefill_tokens": progress.evaluated,
            "threads": rayon::current_num_threads(),
            "prefill_tokens_per_s": prefill_tps,
            "decode_tokens_per_s": decode_tps,
            "finish_reason": finish,
        });
        if let (Some(prefill), Some(decode)) = (&prefill_profile, &decode_profile) {
            out["profile"] = serde_json::json!({ "prefill": prefill, "decode": decode });
        }
        if tools {
            out["tool_calls"] =
                serde_json::to_value(parse_tool_calls(&text)).map_err(|e| e.to_string())?;
        }
        println!("{out}");
    } else {
        println!();
        eprintln!(
            "{prompt_tokens} prompt tokens at {prefill_tps:.1}/s, {} generated at {decode_tps:.1}/s ({finish:?})",
            tokens.len()
        );
        for (name, p) in [("prefill", prefill_profile), ("decode", decode_profile)] {
            if let Some(p) = p {
                eprintln!("{name}: {:.1} ms", p.total_ms);
                for op in p.ops {
                    let share = op.ms / p.total_ms.max(1e-9) * 100.0;
                    eprintln!(
                        "  {:<16} {:>6} calls {:>9.2} ms {share:>5.1} %",
                        op.op, op.calls, op.ms
                    );
                }
            }
        }
    }
    Ok(())
}

/// `f()`, with its per-op profile when `on`.
fn maybe_record<T>(on: bool, f: impl FnOnce() -> T) -> (T, Option<Profile>) {
    if on {
        let (out, p) = profile::record(f);
        (out, Some(p))
    } else {
        (f(), None)
    }
}
