//! The LLM bench's table: median tokens/s per runner and model, and the ratios that matter
//! (ours / wllama single- and multi-threaded, our wasm / our native). Absolute numbers on a
//! shared machine are noise; ratios from one run are the result.

use super::measure::Measure;

fn find<'a>(all: &'a [Measure], runner: &str, model: &str) -> Option<&'a Measure> {
    all.iter().find(|m| m.runner == runner && m.model == model)
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

/// The table, as printed.
pub fn table(all: &[Measure], models: &[String]) -> String {
    let mut out = String::new();
    for (phase, pick) in [
        ("prefill", Measure::prefill as fn(&Measure) -> f64),
        ("decode", Measure::decode as fn(&Measure) -> f64),
    ] {
        out.push_str(&format!(
            "\n{phase} tokens/s (median)\n{:<8} {:>8} {:>8} {:>10} {:>10} {:>13} {:>13} {:>12}\n",
            "model",
            "native",
            "wasm",
            "wllama st",
            "wllama mt",
            "wasm/wl st",
            "wasm/wl mt",
            "wasm/native"
        ));
        for model in models {
            let get = |runner| find(all, runner, model).map(pick);
            let (native, wasm, st, mt) = (
                get("native"),
                get("wasm"),
                get("wllama_st"),
                get("wllama_mt"),
            );
            out.push_str(&format!(
                "{:<8} {:>8} {:>8} {:>10} {:>10} {:>13} {:>13} {:>12}\n",
                model,
                cell(native),
                cell(wasm),
                cell(st),
                cell(mt),
                ratio(wasm, st),
                ratio(wasm, mt),
                ratio(wasm, native),
            ));
        }
    }
    let threads: Vec<String> = all
        .iter()
        .filter(|m| models.first() == Some(&m.model))
        .map(|m| format!("{} {} thread(s)", m.runner, m.threads))
        .collect();
    out.push_str(&format!("\nthreads: {}\n", threads.join(", ")));
    let prompts: Vec<String> = all
        .iter()
        .map(|m| {
            let r = m.runs.first();
            format!(
                "{} {}: {} prompt / {} generated",
                m.runner,
                m.model,
                r.map_or(0, |r| r.prefill_tokens),
                r.map_or(0, |r| r.generated_tokens)
            )
        })
        .collect();
    out.push_str(&format!("tokens per run: {}\n", prompts.join("; ")));
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
            m("wllama_st", 200.0, 10.0),
        ];
        let text = table(&all, &["Q8_0".into()]);
        let prefill = text.lines().find(|l| l.starts_with("Q8_0")).unwrap();
        let cols: Vec<&str> = prefill.split_whitespace().collect();
        assert_eq!(
            cols,
            ["Q8_0", "400.0", "100.0", "200.0", "-", "0.50", "-", "0.25"]
        );
        let decode = text
            .lines()
            .filter(|l| l.starts_with("Q8_0"))
            .nth(1)
            .unwrap();
        assert!(decode.contains("2.00"), "{decode}");
    }
}
