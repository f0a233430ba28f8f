//! The LLM bench's table: median tokens/s per runner, model and thread count, and the ratios
//! that matter (our wasm over native llama.cpp, over wllama, over our native build, over a
//! user's llama.cpp server; all cores over one). Absolute numbers on a shared machine are
//! noise; ratios from one run are the result.

use super::measure::{Measure, Profile};

fn find<'a>(all: &'a [Measure], runner: &str, model: &str, threads: usize) -> Option<&'a Measure> {
    all.iter()
        .find(|m| m.runner == runner && m.model == model && m.threads == threads)
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".into(),
    }
}

fn cell(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

/// The table, as printed: one row per model and thread count.
pub fn table(all: &[Measure], models: &[String], threads: &[usize]) -> String {
    let mut out = String::new();
    for (phase, pick) in [
        ("prefill", Measure::prefill as fn(&Measure) -> f64),
        ("decode", Measure::decode as fn(&Measure) -> f64),
    ] {
        out.push_str(&format!(
            "\n{phase} tokens/s (median)\n{:<20} {:>3} {:>9} {:>9} {:>10} {:>11} {:>14} {:>12} {:>12} {:>8} {:>12}\n",
            "model",
            "thr",
            "our wasm",
            "wllama",
            "llama.cpp",
            "our native",
            "wasm/llama.cpp",
            "wasm/wllama",
            "wasm/native",
            "server",
            "wasm/server"
        ));
        for model in models {
            for &t in threads {
                let get = |runner| find(all, runner, model, t).map(pick);
                let (wasm, wllama, llamacpp, native) =
                    (get("wasm"), get("wllama"), get("llamacpp"), get("native"));
                // Lantern through llama.cpp's server: what answering in the browser gives up.
                let server = get("server");
                out.push_str(&format!(
                    "{:<20} {:>3} {:>9} {:>9} {:>10} {:>11} {:>14} {:>12} {:>12} {:>8} {:>12}\n",
                    model,
                    t,
                    cell(wasm),
                    cell(wllama),
                    cell(llamacpp),
                    cell(native),
                    ratio(wasm, llamacpp),
                    ratio(wasm, wllama),
                    ratio(wasm, native),
                    cell(server),
                    ratio(wasm, server),
                ));
            }
        }
    }
    if threads.len() > 1 {
        let (one, all_cores) = (threads[0], threads[threads.len() - 1]);
        out.push_str(&format!(
            "\nour wasm, {all_cores} threads over {one}: (prefill, decode)\n"
        ));
        for model in models {
            let get = |t, pick: fn(&Measure) -> f64| find(all, "wasm", model, t).map(pick);
            out.push_str(&format!(
                "{:<20} {:>6} {:>6}\n",
                model,
                ratio(get(all_cores, Measure::prefill), get(one, Measure::prefill)),
                ratio(get(all_cores, Measure::decode), get(one, Measure::decode)),
            ));
        }
    }
    let memory: Vec<String> = models
        .iter()
        .filter_map(|model| {
            let bytes = all
                .iter()
                .filter(|m| m.runner == "wasm" && &m.model == model)
                .filter_map(|m| m.peak_wasm_bytes)
                .max()?;
            Some(format!("{model} {:.0} MB", bytes as f64 / 1e6))
        })
        .collect();
    let loads: Vec<String> = all
        .iter()
        .filter(|m| m.runner == "wasm")
        .filter_map(|m| {
            let (s, bytes) = (m.load_seconds?, m.model_bytes?);
            Some(format!(
                "{} {}t {:.2} s per 100 MB",
                m.model,
                m.threads,
                s / (bytes as f64 / 1e8)
            ))
        })
        .collect();
    if !loads.is_empty() {
        out.push_str(&format!(
            "\nour worker's model load from IndexedDB: {}\n",
            loads.join(", ")
        ));
    }
    if !memory.is_empty() {
        out.push_str(&format!(
            "\nour worker's wasm memory after each model (a high-water mark): {}\n",
            memory.join(", ")
        ));
    }
    for m in all.iter().filter(|m| m.runner == "wasm") {
        if let Some(p) = &m.profile {
            out.push_str(&profile_lines(m, p));
        }
    }
    let prompts: Vec<String> = all
        .iter()
        .filter(|m| m.threads == threads[0])
        .map(|m| {
            let r = m.runs.first();
            format!(
                "{} {}: {}/{}",
                m.runner,
                m.model,
                r.map_or(0, |r| r.prefill_tokens),
                r.map_or(0, |r| r.generated_tokens)
            )
        })
        .collect();
    out.push_str(&format!(
        "prompt/generated tokens per run: {}\n",
        prompts.join("; ")
    ));
    out
}

/// One profiled reply: each phase's ops as ms per token and share of the phase.
fn profile_lines(m: &Measure, p: &Profile) -> String {
    let mut out = format!(
        "\nwhere the time goes in our worker, {} {}t:\n",
        m.model, m.threads
    );
    for (phase, step, tokens) in [
        ("prefill", &p.prefill, p.prefill_tokens),
        ("decode", &p.decode, p.decode_tokens),
    ] {
        let per = |ms: f64| ms / tokens.max(1) as f64;
        let timed: f64 = step.ops.iter().map(|o| o.ms).sum();
        let mut parts: Vec<String> = step
            .ops
            .iter()
            .map(|o| {
                let share = o.ms / step.total_ms.max(1e-9) * 100.0;
                format!("{} {:.3} ms ({share:.0} %)", o.op, per(o.ms))
            })
            .collect();
        parts.push(format!(
            "outside the graph {:.3} ms ({:.0} %)",
            per(step.total_ms - timed),
            (step.total_ms - timed) / step.total_ms.max(1e-9) * 100.0
        ));
        out.push_str(&format!(
            "  {phase}, {:.2} ms per token over {tokens}: {}\n",
            per(step.total_ms),
            parts.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::llm::measure::Run;

    fn m(runner: &str, prefill: f64, decode: f64) -> Measure {
        Measure {
            runner: runner.into(),
            model: "Q8_0".into(),
            threads: 1,
            peak_wasm_bytes: None,
            load_seconds: None,
            model_bytes: None,
            profile: None,
            runs: vec![Run {
                prompt_tokens: 300,
                prefill_tokens: 300,
                generated_tokens: 64,
                prefill_tokens_per_s: prefill,
                decode_tokens_per_s: decode,
            }],
        }
    }

    #[test]
    fn ratios_are_ours_over_the_peer() {
        let all = [
            m("native", 400.0, 40.0),
            m("wasm", 100.0, 20.0),
            m("wllama", 200.0, 10.0),
            m("server", 500.0, 25.0),
        ];
        let text = table(&all, &["Q8_0".into()], &[1]);
        let prefill = text.lines().find(|l| l.starts_with("Q8_0")).unwrap();
        let cols: Vec<&str> = prefill.split_whitespace().collect();
        assert_eq!(
            cols,
            [
                "Q8_0", "1", "100.0", "200.0", "-", "400.0", "-", "0.50", "0.25", "500.0", "0.20"
            ]
        );
        let decode = text
            .lines()
            .filter(|l| l.starts_with("Q8_0"))
            .nth(1)
            .unwrap();
        assert!(decode.contains("2.00"), "{decode}");
        assert!(decode.ends_with("0.80"), "{decode}");
    }

    #[test]
    fn thread_scaling_and_load_rate_are_reported() {
        let mut one = m("wasm", 100.0, 20.0);
        one.load_seconds = Some(0.5);
        one.model_bytes = Some(200_000_000);
        let mut two = m("wasm", 180.0, 30.0);
        two.threads = 2;
        let text = table(&[one, two], &["Q8_0".into()], &[1, 2]);
        let scaling = text
            .lines()
            .skip_while(|l| !l.starts_with("our wasm, 2 threads over 1"))
            .nth(1)
            .unwrap();
        assert_eq!(
            scaling.split_whitespace().collect::<Vec<_>>(),
            ["Q8_0", "1.80", "1.50"]
        );
        assert!(text.contains("Q8_0 1t 0.25 s per 100 MB"), "{text}");
    }
}
