//! all-MiniLM-L6-v2 in Candle against an independent numpy BERT (float64) over the same
//! safetensors (fixture and the script that made it: tests/fixtures/embed/): the same word
//! pieces, and every embedding within cosine 0.9999 and 1e-4 per number of the reference. Then
//! what memories rely on: a question lands nearest the fact that answers it.

// Native only: the weights and the fixture are read from disk (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use models::embed::{EmbedFiles, Embedder, cosine};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn load(test: &str) -> Option<Embedder> {
    let dir = std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/models"))
        .join("all-minilm-l6-v2");
    let weights = dir.join("model.safetensors");
    if !weights.is_file() {
        println!(
            "SKIPPED {test}: {} not found (run `cargo xtask fetch-models` or set LANTERN_MODELS_DIR)",
            weights.display()
        );
        return None;
    }
    let read = |name: &str| std::fs::read(dir.join(name)).expect(name);
    Some(
        Embedder::load(EmbedFiles {
            config: read("config.json"),
            tokenizer: read("tokenizer.json"),
            weights: read("model.safetensors"),
        })
        .expect("the model loads"),
    )
}

fn fixture() -> Fixture {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embed/embeddings.json");
    serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("fixture parses")
}

#[test]
fn embeddings_match_the_numpy_reference() {
    let Some(embedder) = load("embeddings_match_the_numpy_reference") else {
        return;
    };
    assert_eq!(embedder.dimensions(), 384);
    for case in fixture().cases {
        let ids = embedder.token_ids(&case.text).expect("tokenizes");
        assert_eq!(ids, case.ids, "word pieces of {:?}", case.text);
        let ours = embedder.embed(&case.text).expect("embeds");
        let norm: f32 = ours.iter().map(|v| v * v).sum::<f32>().sqrt();
        let similarity = cosine(&ours, &case.embedding);
        let worst = ours
            .iter()
            .zip(&case.embedding)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        println!(
            "{:>4} ids  cosine {similarity:.7}  max |diff| {worst:.2e}  {:?}",
            ids.len(),
            &case.text[..case.text.len().min(40)]
        );
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        assert!(
            similarity >= 0.9999,
            "cosine {similarity} for {:?}",
            case.text
        );
        assert!(worst <= 1e-4, "max diff {worst} for {:?}", case.text);
    }
}

#[test]
fn a_question_is_nearest_the_fact_that_answers_it() {
    let Some(embedder) = load("a_question_is_nearest_the_fact_that_answers_it") else {
        return;
    };
    let facts = [
        "My sister's birthday is on the 3rd of May.",
        "My bike lock code is 4721.",
        "I parked the car on level 2 of the station garage.",
        "The wifi password at the cabin is pinecone88.",
    ];
    let question = embedder
        .embed("what is my bike lock code?")
        .expect("embeds");
    let scores: Vec<f32> = facts
        .iter()
        .map(|f| cosine(&question, &embedder.embed(f).expect("embeds")))
        .collect();
    println!("{scores:?}");
    let best = (0..facts.len())
        .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
        .expect("facts");
    assert_eq!(facts[best], "My bike lock code is 4721.", "{scores:?}");
    assert!(
        embedder.embed("").is_ok(),
        "an empty text is still [CLS] [SEP]"
    );
}
