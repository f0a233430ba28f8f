//! Fetching the image a request names, in the vision worker: an extension's worker may fetch
//! any origin Lantern has host access to (and any server that allows every origin), without
//! the page's help, and the bytes land in this worker's memory without crossing a message.
//! The body is read piece by piece and refused past `MAX_IMAGE_BYTES`, so a huge file cannot
//! exhaust the worker before the decoder's own limit is even reached.

use js_sys::Uint8Array;
use protocol::{ErrorCode, LanternError};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Response, WorkerGlobalScope};

use crate::model_cache::fetch::{Body, FetchError};

/// The largest image file read (a 100-megapixel PNG of a photo stays below it).
pub const MAX_IMAGE_BYTES: usize = 64 * 1024 * 1024;

fn unreachable(message: String) -> LanternError {
    LanternError::new(ErrorCode::ImageUnreachable, message)
}

fn too_big(bytes: usize) -> LanternError {
    LanternError::new(
        ErrorCode::BadImage,
        format!(
            "the image file is larger than {} MB ({} MB or more); the most Lantern reads is {} MB",
            MAX_IMAGE_BYTES / (1024 * 1024),
            bytes / (1024 * 1024),
            MAX_IMAGE_BYTES / (1024 * 1024)
        ),
    )
}

/// Refuses addresses a worker cannot fetch, saying why: `blob:` and `file:` images live only
/// inside their page or on the disk.
pub fn check_address(url: &str) -> Result<(), String> {
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase())
        .unwrap_or_default();
    match scheme.as_str() {
        "http" | "https" | "data" => Ok(()),
        "" => Err(format!("{url:?} is not an image address")),
        other => Err(format!(
            "the image has a {other}: address, which exists only inside its page; Lantern reads images from web addresses (http, https) and images embedded in a page (data:)"
        )),
    }
}

fn site(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// The bytes of the image at `url`.
pub async fn fetch(url: &str) -> Result<Vec<u8>, LanternError> {
    check_address(url).map_err(unreachable)?;
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let refused = |why: String| {
        unreachable(format!(
            "could not fetch the image from {}: the site does not let Lantern read it (Lantern has no access to that site, and it does not allow other sites to read its images) or it cannot be reached ({why})",
            site(url)
        ))
    };
    let response: Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|e| {
            refused(
                js_sys::Error::from(e)
                    .message()
                    .as_string()
                    .unwrap_or_else(|| "network error".into()),
            )
        })?
        .unchecked_into();
    if !response.ok() {
        return Err(unreachable(format!(
            "the server answered HTTP {} {} for the image at {}",
            response.status(),
            response.status_text(),
            site(url)
        )));
    }
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|n| n.trim().parse::<usize>().ok());
    if let Some(declared) = declared.filter(|n| *n > MAX_IMAGE_BYTES) {
        return Err(too_big(declared));
    }
    let Some(body) = Body::of(&response) else {
        return Ok(Vec::new());
    };
    let abort = AbortController::new()
        .map_err(|_| LanternError::new(ErrorCode::Internal, "no AbortController"))?;
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
    loop {
        let piece: Option<Uint8Array> = body.next(&abort.signal()).await.map_err(|e| match e {
            FetchError::Unreachable(why) => refused(why),
            FetchError::Aborted => refused("cancelled".into()),
        })?;
        let Some(piece) = piece else { break };
        if bytes.len() + piece.length() as usize > MAX_IMAGE_BYTES {
            body.cancel();
            return Err(too_big(bytes.len() + piece.length() as usize));
        }
        let at = bytes.len();
        bytes.resize(at + piece.length() as usize, 0);
        piece.copy_to(&mut bytes[at..]);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_and_embedded_images_are_fetched_page_only_ones_are_refused() {
        assert!(check_address("https://example.com/a.png").is_ok());
        assert!(check_address("HTTP://127.0.0.1:8000/a.png").is_ok());
        assert!(check_address("data:image/png;base64,AAAA").is_ok());
        let blob = check_address("blob:https://example.com/5f2c").expect_err("refused");
        assert!(
            blob.contains("blob:") && blob.contains("inside its page"),
            "{blob}"
        );
        assert!(check_address("file:///home/a.png").is_err());
        assert!(check_address("a.png").is_err());
    }

    #[test]
    fn the_site_is_named_without_its_path() {
        assert_eq!(
            site("https://cdn.example.com/img/a.png?x=1"),
            "cdn.example.com"
        );
        assert_eq!(site("http://127.0.0.1:8000/a.png"), "127.0.0.1:8000");
    }
}
