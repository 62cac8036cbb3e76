//! A minimal HTTP/1.1 server core for the HTTP simulators (DLI, Tasmota): reads one request per connection
//! (request line, headers, a Content-Length body) and writes one response, then closes.
//! Enough for every client the simulator serves (our driver, python-dlipower, wget, curl).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// A parsed request.
#[derive(Debug, Default)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path without the query string.
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Request {
    /// A header's value (case-insensitive name).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A response to write.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Response {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Self { status, headers: vec![("Content-Type".into(), content_type.into())], body: body.into() }
    }

    pub(crate) fn html(body: impl Into<String>) -> Self {
        Self::new(200, "text/html", body)
    }

    pub(crate) fn json(body: impl Into<String>) -> Self {
        Self::new(200, "application/json", body)
    }

    #[must_use]
    pub(crate) fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// Reads one request from a connection's reader; `None` when the client sent nothing usable
/// (or closed a kept-alive connection).
pub(crate) fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target, String::new()),
    };
    let mut req = Request { method, path, query, ..Request::default() };
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            req.headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = req.header("Content-Length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if len > 0 {
        let mut body = vec![0u8; len.min(1 << 20)];
        reader.read_exact(&mut body).ok()?;
        req.body = String::from_utf8_lossy(&body).into_owned();
    }
    Some(req)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

/// Writes `resp`. With `keep_alive`, like Python's `http.server` (and many embedded servers):
/// the connection stays open and headers and body go out as separate writes, which a client
/// that reuses the connection pays for with a delayed-ACK stall. Otherwise one write and close.
pub(crate) fn write_response(mut stream: &TcpStream, resp: &Response, keep_alive: bool) {
    let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let conn = if keep_alive { "keep-alive" } else { "close" };
    out.push_str(&format!("Content-Length: {}\r\nConnection: {conn}\r\n\r\n", resp.body.len()));
    if keep_alive {
        let _ = stream.write_all(out.as_bytes());
        let _ = stream.write_all(resp.body.as_bytes());
    } else {
        out.push_str(&resp.body);
        let _ = stream.write_all(out.as_bytes());
    }
    let _ = stream.flush();
}

/// Serves one request on `conn`: reads it, writes what `respond` answers (`None`: closes without
/// answering, the drop fault), then closes.
pub(crate) fn serve_once(conn: TcpStream, respond: impl FnOnce(&Request) -> Option<Response>) {
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    let Ok(clone) = conn.try_clone() else { return };
    let Some(req) = read_request(&mut BufReader::new(clone)) else { return };
    if let Some(resp) = respond(&req) {
        write_response(&conn, &resp, false);
    }
}

/// `key=value&...` (form or query) decoded into pairs (`+` and `%XX` unescaped).
pub(crate) fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
