//! The transport of the black-box suite: each request over its own TCP connection to a
//! running server, as HTTP/1.1 written and read by hand, so that a test controls the
//! bytes (no `Content-Length` with a chunked body, a body the server stops reading).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use auth_http::testkit::Transport;
use http::header::{HOST, TRANSFER_ENCODING};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};

/// One TCP connection per request (`Connection: close`) to the server at `HOST:PORT`,
/// from a loopback source address of its own (127.x.y.z, never 127.0.0.1), so that the
/// server's per-IP limits see each transport as a different visitor.
///
/// Besides the request's headers it writes `Connection: close` and, unless the request
/// carries `Transfer-Encoding: chunked` (then the body is sent in chunks), a
/// `Content-Length` for every request but a `GET` without a body. A header with an empty
/// value is not written: that is how a test leaves out one the browser would add.
///
/// I/O is blocking: the future is ready when first polled.
#[derive(Debug, Clone)]
pub struct Tcp {
    addr: String,
    source: Ipv4Addr,
}

fn next_source() -> Ipv4Addr {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    // 127.<pid-derived>.<n>.<n>, never 127.0.0.1; distinct per process and client.
    let pid = std::process::id();
    let b = (pid % 200) as u8 + 20;
    let c = (n / 250) as u8;
    let d = (n % 250) as u8 + 2;
    Ipv4Addr::new(127, b, c, d)
}

impl Tcp {
    /// A transport to the server at `addr` (`HOST:PORT`) from a fresh source address.
    pub fn new(addr: &str) -> Self {
        Tcp {
            addr: addr.to_owned(),
            source: next_source(),
        }
    }

    /// The server the next requests go to.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Sends the next requests to `addr`, from the same source address.
    pub fn set_addr(&mut self, addr: &str) {
        addr.clone_into(&mut self.addr);
    }

    /// The loopback address the connections come from.
    pub fn source_ip(&self) -> Ipv4Addr {
        self.source
    }

    fn connect(&self) -> TcpStream {
        let target: SocketAddr = self
            .addr
            .parse()
            .unwrap_or_else(|e| panic!("{}: not HOST:PORT: {e}", self.addr));
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .unwrap_or_else(|e| panic!("a socket: {e}"));
        socket
            .bind(&SocketAddr::from((self.source, 0)).into())
            .unwrap_or_else(|e| panic!("binding the loopback source address: {e}"));
        socket
            .connect_timeout(&target.into(), Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.addr));
        let stream: TcpStream = socket.into();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap_or_else(|e| panic!("a read timeout: {e}"));
        stream
    }

    /// Writes `req`, reads the whole answer.
    fn exchange(&self, req: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let (parts, body) = req.into_parts();
        let method = &parts.method;
        let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let chunked = parts
            .headers
            .get(TRANSFER_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        let host = parts
            .headers
            .get(HOST)
            .map_or(self.addr.as_bytes(), |h| h.as_bytes());
        head.push_str(&format!("Host: {}\r\n", String::from_utf8_lossy(host)));
        head.push_str("Connection: close\r\n");
        for (name, value) in &parts.headers {
            if name != HOST && !value.is_empty() {
                let value = String::from_utf8_lossy(value.as_bytes());
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        if !chunked && (method != Method::GET || !body.is_empty()) {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut stream = self.connect();
        stream
            .write_all(head.as_bytes())
            .unwrap_or_else(|e| panic!("{method} {path}: sending the head: {e}"));
        // The server may answer (413) and stop reading before the body is through;
        // a write error is then expected, the answer is still read below.
        if chunked {
            for chunk in body.chunks(8192) {
                if stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .and_then(|()| stream.write_all(chunk))
                    .and_then(|()| stream.write_all(b"\r\n"))
                    .is_err()
                {
                    break;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        } else {
            let _ = stream.write_all(&body);
        }
        let mut raw = Vec::new();
        let mut buf = [0u8; 16384];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                // A reset after the answer arrived (the server closed with unread body).
                Err(_) if !raw.is_empty() => break,
                Err(e) => panic!("{method} {path}: reading the answer: {e}"),
            }
            if complete(&raw) {
                break;
            }
        }
        parse(&raw).unwrap_or_else(|| {
            panic!(
                "{method} {path}: not an HTTP answer: {:?}",
                String::from_utf8_lossy(&raw)
            )
        })
    }
}

impl Transport for Tcp {
    async fn send(&self, req: Request<Vec<u8>>) -> Response<Vec<u8>> {
        self.exchange(req)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether `raw` holds a whole answer (so a kept-alive connection need not close).
pub(crate) fn complete(raw: &[u8]) -> bool {
    let Some(end) = find(raw, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let body = &raw[end + 4..];
    if let Some(len) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        return body.len() >= len;
    }
    if head.contains("transfer-encoding: chunked") {
        return find(body, b"0\r\n\r\n").is_some_and(|i| i == 0 || body[..i].ends_with(b"\r\n"));
    }
    false
}

/// The answer in `raw`, its body decoded from chunked transfer encoding (the headers as
/// they came).
pub(crate) fn parse(raw: &[u8]) -> Option<Response<Vec<u8>>> {
    let end = find(raw, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut body = raw[end + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut resp = Response::new(Vec::new());
    *resp.status_mut() = StatusCode::from_u16(status).ok()?;
    for (k, v) in lines.filter_map(|l| l.split_once(':')) {
        let name = HeaderName::from_bytes(k.trim().as_bytes()).ok()?;
        let value = HeaderValue::from_bytes(v.trim().as_bytes()).ok()?;
        resp.headers_mut().append(name, value);
    }
    if resp
        .headers()
        .get_all(TRANSFER_ENCODING)
        .iter()
        .any(|v| String::from_utf8_lossy(v.as_bytes()).contains("chunked"))
    {
        body = dechunk(&body);
    }
    *resp.body_mut() = body;
    Some(resp)
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = find(rest, b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..i]);
        let n = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        let tail = &rest[i + 2..];
        let n = n.min(tail.len());
        out.extend_from_slice(&tail[..n]);
        rest = tail.get(n + 2..).unwrap_or_default();
    }
    out
}
