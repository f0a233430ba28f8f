//! What a file's path may be in the files server: names joined by `/`, none empty, none `.` or
//! `..` (nothing can climb out of the folder), no backslash or control character, short enough
//! for the browser's storage. Also the `lantern-files:///` address each file has as a resource.

/// The longest name of one folder or file (the origin-private file system's own limit).
const MAX_NAME_BYTES: usize = 255;
const MAX_PATH_BYTES: usize = 1024;
const MAX_DEPTH: usize = 16;
/// The scheme and empty authority of a file's resource address.
pub const URI_PREFIX: &str = "lantern-files:///";

/// `path` checked and written the one way it is stored (`notes/todo.txt`: no leading slash).
/// The error says what is wrong with it, for the model and the user alike.
pub fn normalize(path: &str) -> Result<String, String> {
    let trimmed = path.trim();
    let relative = trimmed.strip_prefix('/').unwrap_or(trimmed);
    if relative.is_empty() {
        return Err("the path is empty: give a file name such as notes.txt".into());
    }
    if relative.len() > MAX_PATH_BYTES {
        return Err(format!(
            "the path is {} bytes long; at most {MAX_PATH_BYTES} are allowed",
            relative.len()
        ));
    }
    let names: Vec<&str> = relative.split('/').collect();
    if names.len() > MAX_DEPTH {
        return Err(format!("the path is more than {MAX_DEPTH} folders deep"));
    }
    for name in &names {
        check_name(name, path)?;
    }
    Ok(names.join("/"))
}

fn check_name(name: &str, path: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("{path:?} has an empty name between two slashes"));
    }
    if name == "." || name == ".." {
        return Err(format!(
            "{path:?} contains {name:?}: paths stay inside Lantern's files"
        ));
    }
    if name.trim() != name {
        return Err(format!("{name:?} begins or ends with a space"));
    }
    if let Some(c) = name.chars().find(|c| *c == '\\' || c.is_control()) {
        return Err(format!(
            "{path:?} contains the character {c:?}, which a file name may not"
        ));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "the name {:?}… is {} bytes long; at most {MAX_NAME_BYTES} are allowed",
            name.chars().take(20).collect::<String>(),
            name.len()
        ));
    }
    Ok(())
}

/// The resource address of a stored (normalized) path: its bytes outside letters, digits,
/// `/`, `-`, `_`, `.` and `~` percent-encoded.
pub fn to_uri(path: &str) -> String {
    let mut uri = String::from(URI_PREFIX);
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The stored path a resource address names; `None` for another scheme or a bad escape.
pub fn from_uri(uri: &str) -> Option<String> {
    let encoded = uri.strip_prefix(URI_PREFIX)?;
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut rest = encoded.bytes();
    while let Some(byte) = rest.next() {
        if byte == b'%' {
            let hex = [rest.next()?, rest.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            bytes.push(byte);
        }
    }
    normalize(&String::from_utf8(bytes).ok()?).ok()
}

/// The media type a file's name suggests; text files that are not named so are found by
/// their bytes (`is_text`).
pub fn mime_type(path: &str, text: bool) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "md" | "markdown" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        _ if text => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Whether `bytes` read as text: UTF-8 without NUL bytes.
pub fn is_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}
