//! `cargo xtask serve-models`: the local mirror over HTTP on 127.0.0.1, the way the extension
//! downloads from the hub: byte ranges (206, 416, HEAD), CORS and CORP headers so
//! cross-origin-isolated extension pages may read it, and one log line per request.
//!
//! Two ways to fail on purpose, for download tests: `drop_at_fraction` closes the connection
//! partway through the body of the first GET of each file; `corrupt` flips one byte (the
//! middle one) of the named files' bodies every time they are served.
//!
//! One thread per connection and `Connection: close`: a test mirror needs no keep-alive.

mod range;

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};

use range::Plan;

pub const DEFAULT_PORT: u16 = 8799;
/// Longest request head accepted; ours are a line and a few headers.
const MAX_HEAD: u64 = 16 * 1024;
const CHUNK: usize = 64 * 1024;

pub struct Config {
    pub root: PathBuf,
    /// Close the connection after this fraction of the body, on the first GET of each file.
    pub drop_at_fraction: Option<f64>,
    /// Files (paths relative to `root`) whose middle byte is flipped whenever served.
    pub corrupt: Vec<String>,
}

struct Shared {
    root: PathBuf,
    drop_at_fraction: Option<f64>,
    corrupt: HashSet<String>,
    /// Files whose first GET was already cut short.
    dropped: Mutex<HashSet<String>>,
}

/// Checks the configuration, binds 127.0.0.1:`port` and serves until killed.
pub fn serve_models(port: u16, config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("binding 127.0.0.1:{port}"))?;
    let root = config.root.display().to_string();
    let shared = prepare(config)?;
    println!(
        "serving {root} at http://{}/ (catalog: /catalog.json); Ctrl-C stops",
        listener.local_addr()?
    );
    serve(listener, shared)
}

/// Binds an ephemeral port on 127.0.0.1 and serves from a background thread (for tests).
#[cfg(test)]
pub fn spawn(config: Config) -> anyhow::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let addr = listener.local_addr()?;
    let shared = prepare(config)?;
    std::thread::spawn(move || serve(listener, shared));
    Ok(addr)
}

fn prepare(config: Config) -> anyhow::Result<Arc<Shared>> {
    let root = config
        .root
        .canonicalize()
        .with_context(|| format!("{} does not exist", config.root.display()))?;
    if let Some(fraction) = config.drop_at_fraction
        && !(0.0..=1.0).contains(&fraction)
    {
        bail!("--drop-at-fraction must be between 0 and 1, not {fraction}");
    }
    let mut corrupt = HashSet::new();
    for path in &config.corrupt {
        let relative = path.trim_start_matches('/').to_string();
        if !root.join(&relative).is_file() {
            bail!("--corrupt {path}: no such file under {}", root.display());
        }
        corrupt.insert(relative);
    }
    Ok(Arc::new(Shared {
        root,
        drop_at_fraction: config.drop_at_fraction,
        corrupt,
        dropped: Mutex::new(HashSet::new()),
    }))
}

fn serve(listener: TcpListener, shared: Arc<Shared>) -> anyhow::Result<()> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            if let Err(err) = handle(stream, &shared) {
                println!("connection error: {err}");
            }
        });
    }
    Ok(())
}

/// A request head: method, decoded path, Range header.
struct Request {
    method: String,
    target: String,
    range: Option<String>,
}

/// The outcome of one request, for the log line.
struct Outcome {
    status: u16,
    sent: u64,
    note: &'static str,
}

fn handle(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    match read_head(&mut reader)? {
        Some(request) => {
            let outcome = route(&request, shared, &mut out)?;
            println!(
                "{} {} range={} {} {}{}",
                request.method,
                request.target,
                request.range.as_deref().unwrap_or("-"),
                outcome.status,
                outcome.sent,
                outcome.note
            );
        }
        None => {
            let outcome = respond_error(&mut out, 400, "Bad Request", "malformed request")?;
            println!("- - range=- {} {}", outcome.status, outcome.sent);
        }
    }
    out.flush()?;
    out.shutdown(Shutdown::Both).ok();
    Ok(())
}

fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut limited = reader.take(MAX_HEAD);
    let mut line = String::new();
    limited.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    if !version.starts_with("HTTP/1.") {
        return Ok(None);
    }
    let (method, target) = (method.to_string(), target.to_string());
    let mut range = None;
    loop {
        line.clear();
        if limited.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_string());
        }
    }
    Ok(Some(Request {
        method,
        target,
        range,
    }))
}

fn route(request: &Request, shared: &Shared, out: &mut TcpStream) -> io::Result<Outcome> {
    let head_only = match request.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        "OPTIONS" => return preflight(out),
        _ => return respond_error(out, 405, "Method Not Allowed", "GET, HEAD or OPTIONS only"),
    };
    let relative = match relative_path(&request.target) {
        Ok(relative) => relative,
        Err(status) => return respond_error(out, status, reason(status), "refused path"),
    };
    let path = shared.root.join(&relative);
    // A symlink could still lead outside: the real path must stay under the root.
    let inside = path
        .canonicalize()
        .is_ok_and(|real| real.starts_with(&shared.root) && real.is_file());
    if !inside {
        return respond_error(out, 404, "Not Found", "no such file");
    }
    let mut file = File::open(&path)?;
    let len = file.metadata()?.len();
    let (status, start, count) = match range::plan(request.range.as_deref(), len) {
        Plan::Full => (200, 0, len),
        Plan::Part { start, end } => (206, start, end - start + 1),
        Plan::Unsatisfiable => {
            let headers = format!("Content-Range: bytes */{len}\r\n");
            write_head(out, 416, "Range Not Satisfiable", 0, &headers, None)?;
            return Ok(Outcome {
                status: 416,
                sent: 0,
                note: "",
            });
        }
    };
    let mut extra = String::from("Accept-Ranges: bytes\r\n");
    if status == 206 {
        extra += &format!(
            "Content-Range: bytes {start}-{}/{len}\r\n",
            start + count - 1
        );
    }
    let reason = if status == 206 {
        "Partial Content"
    } else {
        "OK"
    };
    write_head(
        out,
        status,
        reason,
        count,
        &extra,
        Some(content_type(&relative)),
    )?;
    if head_only {
        return Ok(Outcome {
            status,
            sent: 0,
            note: "",
        });
    }
    let key = relative.to_string_lossy().into_owned();
    let limit = shared.drop_at_fraction.filter(|_| first_get(shared, &key));
    let send = limit.map_or(count, |fraction| (count as f64 * fraction) as u64);
    let flip = shared.corrupt.contains(&key).then_some(len / 2);
    file.seek(SeekFrom::Start(start))?;
    let sent = send_body(&mut file, out, start, send, flip)?;
    let note = match (
        limit.is_some(),
        flip.is_some_and(|at| (start..start + sent).contains(&at)),
    ) {
        (true, true) => " dropped, corrupted",
        (true, false) => " dropped",
        (false, true) => " corrupted",
        (false, false) => "",
    };
    Ok(Outcome { status, sent, note })
}

/// Whether this is the first GET of the file (and remembers that it no longer is).
fn first_get(shared: &Shared, key: &str) -> bool {
    shared
        .dropped
        .lock()
        .map(|mut seen| seen.insert(key.to_string()))
        .unwrap_or(false)
}

/// Copies `count` bytes of the file from offset `start`, flipping the byte at offset `flip`.
fn send_body(
    file: &mut File,
    out: &mut TcpStream,
    start: u64,
    count: u64,
    flip: Option<u64>,
) -> io::Result<u64> {
    let mut buffer = vec![0; CHUNK];
    let mut sent = 0;
    while sent < count {
        let want = CHUNK.min((count - sent) as usize);
        let n = file.read(&mut buffer[..want])?;
        if n == 0 {
            break;
        }
        let offset = start + sent;
        if let Some(at) = flip.filter(|at| (offset..offset + n as u64).contains(at)) {
            buffer[(at - offset) as usize] ^= 0xff;
        }
        out.write_all(&buffer[..n])?;
        sent += n as u64;
    }
    Ok(sent)
}

/// The request path as a path under the root: percent-decoded, query dropped. `..` anywhere
/// is refused (403); hidden files such as `.fetched.json` are not served (404).
fn relative_path(target: &str) -> Result<PathBuf, u16> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_decode(path).ok_or(400u16)?;
    let mut relative = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if segment == ".." || segment.contains(['\\', '\0']) {
            return Err(403);
        }
        if segment.starts_with('.') {
            return Err(404);
        }
        relative.push(segment);
    }
    Ok(relative)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        _ => "Not Found",
    }
}

/// Headers every response carries: extension pages are cross-origin isolated, so a resource
/// must opt in with CORP to be loadable there, and CORS lets their code read it.
const COMMON: &str = "Access-Control-Allow-Origin: *\r\n\
    Access-Control-Expose-Headers: Content-Length, Content-Range, Accept-Ranges\r\n\
    Cross-Origin-Resource-Policy: cross-origin\r\n\
    Cache-Control: no-store\r\n\
    Connection: close\r\n";

fn write_head(
    out: &mut impl Write,
    status: u16,
    reason: &str,
    length: u64,
    extra: &str,
    content_type: Option<&str>,
) -> io::Result<()> {
    let content_type = content_type.map_or(String::new(), |t| format!("Content-Type: {t}\r\n"));
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\n{COMMON}{extra}{content_type}Content-Length: {length}\r\n\r\n"
    )
}

fn respond_error(
    out: &mut TcpStream,
    status: u16,
    reason: &str,
    body: &str,
) -> io::Result<Outcome> {
    write_head(
        out,
        status,
        reason,
        body.len() as u64,
        "",
        Some("text/plain"),
    )?;
    out.write_all(body.as_bytes())?;
    Ok(Outcome {
        status,
        sent: body.len() as u64,
        note: "",
    })
}

/// CORS preflight: Range is not always a safelisted header, so allow it explicitly.
fn preflight(out: &mut TcpStream) -> io::Result<Outcome> {
    write_head(
        out,
        204,
        "No Content",
        0,
        "Access-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n\
         Access-Control-Allow-Headers: Range\r\n\
         Access-Control-Max-Age: 600\r\n",
        None,
    )?;
    Ok(Outcome {
        status: 204,
        sent: 0,
        note: "",
    })
}

#[cfg(test)]
mod tests;
