//! The mirror server on an ephemeral loopback port, spoken to in raw HTTP/1.1.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

use super::{Config, spawn};

const LEN: usize = 1000;

fn content() -> Vec<u8> {
    (0..LEN).map(|i| (i % 251) as u8).collect()
}

/// A mirror folder with a model file, a catalog, a hidden record, and a secret beside it.
fn mirror(name: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("lantern-serve-{}-{name}", std::process::id()));
    let root = base.join("mirror");
    fs::create_dir_all(root.join("m")).expect("creates");
    fs::write(root.join("m/data.bin"), content()).expect("writes");
    fs::write(root.join("catalog.json"), "{}").expect("writes");
    fs::write(root.join("m/.fetched.json"), "{}").expect("writes");
    fs::write(base.join("secret.txt"), "secret").expect("writes");
    root
}

fn server(name: &str, drop_at_fraction: Option<f64>, corrupt: &[&str]) -> SocketAddr {
    spawn(Config {
        root: mirror(name),
        drop_at_fraction,
        corrupt: corrupt.iter().map(|c| c.to_string()).collect(),
    })
    .expect("serves")
}

struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

fn send(addr: SocketAddr, method: &str, path: &str, range: Option<&str>) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connects");
    let range = range.map_or(String::new(), |r| format!("Range: {r}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{range}\r\n"
    )
    .expect("sends");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reads");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, path: &str, range: Option<&str>) -> Response {
    send(addr, "GET", path, range)
}

#[test]
fn full_get_with_isolation_headers() {
    let addr = server("full", None, &[]);
    let response = get(addr, "/m/data.bin", None);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, content());
    assert_eq!(response.header("content-length"), Some("1000"));
    assert_eq!(response.header("accept-ranges"), Some("bytes"));
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        response.header("cross-origin-resource-policy"),
        Some("cross-origin")
    );
    let catalog = get(addr, "/catalog.json?fresh=1", None);
    assert_eq!(catalog.status, 200);
    assert_eq!(catalog.header("content-type"), Some("application/json"));
}

#[test]
fn middle_and_suffix_ranges() {
    let addr = server("ranges", None, &[]);
    let middle = get(addr, "/m/data.bin", Some("bytes=100-199"));
    assert_eq!(middle.status, 206);
    assert_eq!(middle.body, content()[100..200]);
    assert_eq!(middle.header("content-range"), Some("bytes 100-199/1000"));
    assert_eq!(middle.header("content-length"), Some("100"));

    let suffix = get(addr, "/m/data.bin", Some("bytes=-100"));
    assert_eq!(suffix.status, 206);
    assert_eq!(suffix.body, content()[900..]);
    assert_eq!(suffix.header("content-range"), Some("bytes 900-999/1000"));

    let open = get(addr, "/m/data.bin", Some("bytes=990-"));
    assert_eq!(open.body, content()[990..]);
}

#[test]
fn head_sends_headers_only() {
    let addr = server("head", None, &[]);
    let response = send(addr, "HEAD", "/m/data.bin", None);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-length"), Some("1000"));
    assert!(response.body.is_empty());
    let ranged = send(addr, "HEAD", "/m/data.bin", Some("bytes=0-9"));
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.header("content-length"), Some("10"));
    assert!(ranged.body.is_empty());
}

#[test]
fn a_range_past_the_end_is_416() {
    let addr = server("416", None, &[]);
    let response = get(addr, "/m/data.bin", Some("bytes=1000-"));
    assert_eq!(response.status, 416);
    assert_eq!(response.header("content-range"), Some("bytes */1000"));
    assert!(response.body.is_empty());
}

#[test]
fn refuses_paths_out_of_the_directory() {
    let addr = server("escape", None, &[]);
    for path in [
        "/../secret.txt",
        "/m/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/m/%2E%2E/%2e%2e/secret.txt",
        "/m/..%5c..%5csecret.txt",
    ] {
        let response = get(addr, path, None);
        assert_eq!(response.status, 403, "{path}");
        assert!(!response.body.ends_with(b"secret"), "{path}");
    }
    for path in ["/m/.fetched.json", "/m/missing.bin", "/m", "/"] {
        assert_eq!(get(addr, path, None).status, 404, "{path}");
    }
    assert_eq!(send(addr, "POST", "/m/data.bin", None).status, 405);
}

#[test]
fn refuses_symlinks_that_lead_out() {
    let root = mirror("symlink");
    std::os::unix::fs::symlink(root.join("../secret.txt"), root.join("m/link.txt"))
        .expect("symlinks");
    let addr = spawn(Config {
        root,
        drop_at_fraction: None,
        corrupt: Vec::new(),
    })
    .expect("serves");
    assert_eq!(get(addr, "/m/link.txt", None).status, 404);
}

#[test]
fn preflight_allows_range() {
    let addr = server("options", None, &[]);
    let response = send(addr, "OPTIONS", "/m/data.bin", None);
    assert_eq!(response.status, 204);
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some("Range")
    );
}

#[test]
fn drops_the_first_get_of_each_file_partway() {
    let addr = server("drop", Some(0.5), &[]);
    let first = get(addr, "/m/data.bin", None);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-length"), Some("1000"));
    assert_eq!(first.body, content()[..500]);
    let second = get(addr, "/m/data.bin", None);
    assert_eq!(second.body, content());
    let resumed = get(addr, "/m/data.bin", Some("bytes=500-"));
    assert_eq!(resumed.body, content()[500..]);
    let other = get(addr, "/catalog.json", None);
    assert!(other.body.len() < 2, "first GET of another file is cut too");
}

#[test]
fn corrupts_one_byte_of_the_named_file() {
    let addr = server("corrupt", None, &["/m/data.bin"]);
    let full = get(addr, "/m/data.bin", None);
    let want = content();
    assert_eq!(full.body.len(), LEN);
    let differing: Vec<usize> = (0..LEN).filter(|&i| full.body[i] != want[i]).collect();
    assert_eq!(differing, vec![LEN / 2]);
    assert_eq!(full.body[LEN / 2], want[LEN / 2] ^ 0xff);
    let before = get(addr, "/m/data.bin", Some("bytes=0-99"));
    assert_eq!(before.body, want[..100]);
    let across = get(addr, "/m/data.bin", Some("bytes=450-549"));
    assert_eq!(across.body[50], want[500] ^ 0xff);
    assert_eq!(get(addr, "/catalog.json", None).body, b"{}");
}

#[test]
fn refuses_bad_options() {
    let root = mirror("options-bad");
    let bad = |drop_at_fraction, corrupt: &str| {
        spawn(Config {
            root: root.clone(),
            drop_at_fraction,
            corrupt: vec![corrupt.to_string()],
        })
        .is_err()
    };
    assert!(bad(Some(1.5), "m/data.bin"));
    assert!(bad(None, "m/missing.bin"));
    assert!(!bad(Some(0.25), "m/data.bin"));
}
