//! `lantern ocr`: the text in an image (PNG, JPEG or WebP), by PaddleOCR's networks in Candle;
//! one line of text per line found, or JSON with each line's box and confidence.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use models::vision::ocr::{Line, Ocr, OcrFiles};

#[derive(clap::Args)]
pub struct Args {
    /// The image file.
    #[arg(long)]
    image: PathBuf,
    /// The model folder: det.onnx and rec.onnx, with cls.onnx and ppocr_keys_v5.txt for
    /// PP-OCRv5; default: the local mirror's ppocrv5-mobile.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print {"lines": [{"text", "confidence", "box"}], "text", "width", "height", "ms"}.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    match read(&args) {
        Ok((lines, (width, height), ms)) if args.json => {
            let out: Vec<_> = lines
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "text": l.text,
                        "confidence": l.confidence,
                        "box": l.corners.map(|[x, y]| [x.round(), y.round()]),
                    })
                })
                .collect();
            let text = models::vision::ocr::text_of(&lines);
            println!(
                "{}",
                serde_json::json!({"lines": out, "text": text, "width": width, "height": height, "ms": ms})
            );
            ExitCode::SUCCESS
        }
        Ok((lines, ..)) => {
            for line in lines {
                println!("{}", line.text);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("lantern ocr: {error}");
            ExitCode::FAILURE
        }
    }
}

type Read = (Vec<Line>, (u32, u32), u128);

fn read(args: &Args) -> Result<Read, String> {
    let dir = args.model.clone().unwrap_or_else(|| {
        std::env::var_os("LANTERN_MODELS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target/models"))
            .join("ppocrv5-mobile")
    });
    let bytes = std::fs::read(&args.image)
        .map_err(|e| format!("cannot read {}: {e}", args.image.display()))?;
    let image = models::vision::image::decode(&bytes).map_err(|e| e.to_string())?;
    let file = |name: &str| -> Result<Option<Vec<u8>>, String> {
        let path: &Path = &dir.join(name);
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    };
    let required = |name: &str| {
        file(name)?.ok_or_else(|| {
            format!(
                "no {name} in {} (run `cargo xtask fetch-models` or pass --model)",
                dir.display()
            )
        })
    };
    let (det, rec) = (required("det.onnx")?, required("rec.onnx")?);
    let cls = file("cls.onnx")?;
    let keys = file("ppocr_keys_v5.txt")?
        .map(|k| String::from_utf8(k).map_err(|_| "ppocr_keys_v5.txt is not UTF-8".to_string()))
        .transpose()?;
    let ocr = Ocr::load(OcrFiles {
        det: &det,
        cls: cls.as_deref(),
        rec: &rec,
        keys: keys.as_deref(),
    })
    .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let lines = ocr.read(&image).map_err(|e| e.to_string())?;
    Ok((lines, image.dimensions(), started.elapsed().as_millis()))
}
