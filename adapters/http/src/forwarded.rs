//! The client address of a request behind trusted reverse proxies.
//!
//! Each proxy in front of the application appends the address of whoever connected to it
//! to `X-Forwarded-For` (or adds a `Forwarded` element, RFC 7239). Everything left of what
//! the trusted proxies appended was written by the client and can say anything, so the
//! address is read from the right: with `n` trusted proxies, the `n`-th entry from the
//! right is the one the outermost trusted proxy wrote, the address of the client that
//! connected to it. Fewer entries than proxies means every entry was written by a trusted
//! proxy, and the leftmost is the furthest one known.
//!
//! Entries are split at every comma, even inside quotes: a proxy's own entry never holds
//! one (node names are addresses, `unknown` or `_obfuscated` tokens), and a client's
//! unbalanced quote must not swallow the entries appended after it. Anything that is not
//! an address (`unknown`, an obfuscated name, garbage) in the chosen place falls back to
//! the peer address, never to an error.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use http::HeaderMap;

/// The header the trusted reverse proxies write the client's address into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (the default; what most proxies and load
    /// balancers set).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for="[2001:db8::1]:4711"` (RFC 7239): the `for` parameter
    /// of each element.
    Forwarded,
}

impl ProxyHeader {
    /// The header's name, lower case.
    pub fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
        }
    }

    /// Parses a header name as [`ProxyHeader::name`] spells it (any case).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::XForwardedFor, Self::Forwarded]
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// How the layer finds a request's client address: the peer's, or the one trusted proxies
/// forwarded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TrustedProxies {
    /// How many reverse proxies stand in front of the application; 0 trusts no header.
    pub(crate) hops: u8,
    /// The header they write.
    pub(crate) header: ProxyHeader,
}

impl TrustedProxies {
    /// The client address of a request from `peer` with `headers`.
    pub(crate) fn client_ip(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        if self.hops == 0 {
            return peer;
        }
        let mut entries: Vec<Option<IpAddr>> = Vec::new();
        // Several header lines read as one comma-separated list, in order (RFC 9110).
        for line in headers.get_all(self.header.name()) {
            let Ok(line) = line.to_str() else {
                return peer;
            };
            // Empty list elements do not count (RFC 9110, section 5.6.1).
            let elements = line.split(',').filter(|e| !e.trim().is_empty());
            entries.extend(elements.map(|entry| match self.header {
                ProxyHeader::XForwardedFor => xff_entry(entry),
                ProxyHeader::Forwarded => forwarded_element(entry),
            }));
        }
        let chosen = entries.len().saturating_sub(usize::from(self.hops));
        match entries.get(chosen) {
            Some(Some(ip)) => Some(ip.to_canonical()),
            _ => peer,
        }
    }
}

/// One `X-Forwarded-For` entry: an address, optionally with a port (`192.0.2.1:80`,
/// `[2001:db8::1]:443`) or in brackets.
fn xff_entry(entry: &str) -> Option<IpAddr> {
    node(entry.trim())
}

/// The `for` address of one `Forwarded` element (`for=192.0.2.60;proto=http;by=...`):
/// `None` when it has no `for`, more than one, or a value that is no address.
fn forwarded_element(element: &str) -> Option<IpAddr> {
    let mut found = None;
    for pair in element.split(';') {
        let Some((name, value)) = pair.split_once('=') else {
            if pair.trim().is_empty() {
                continue;
            }
            return None;
        };
        if !name.trim().eq_ignore_ascii_case("for") {
            continue;
        }
        if found.is_some() {
            return None;
        }
        found = Some(value.trim());
    }
    let value = found?;
    let value = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?,
        None => value,
    };
    if value.contains(['"', '\\']) {
        return None;
    }
    node(value)
}

/// A node: an IPv4 or IPv6 address, bracketed IPv6, either with a port. `unknown` and
/// obfuscated names (`_hidden`) are no address.
fn node(text: &str) -> Option<IpAddr> {
    if text.is_empty() || text.eq_ignore_ascii_case("unknown") || text.starts_with('_') {
        return None;
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    if let Some(rest) = text.strip_prefix('[') {
        // `[v6]` alone, or with an obfuscated port (`[v6]:_port`).
        let (inside, after) = rest.split_once(']')?;
        if after.is_empty() || after.strip_prefix(":_").is_some_and(is_obfuscated) {
            return inside.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
        }
        return None;
    }
    // IPv4 with an obfuscated port (`192.0.2.1:_port`); numeric ports parsed above.
    let (host, port) = text.split_once(':')?;
    if !port.strip_prefix('_').is_some_and(is_obfuscated) {
        return None;
    }
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The characters of an obfuscated name or port after its `_` (RFC 7239 section 6.3).
fn is_obfuscated(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    fn headers(name: &str, lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(line).unwrap(),
            );
        }
        map
    }

    const PEER: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));

    fn xff(hops: u8, lines: &[&str]) -> Option<IpAddr> {
        TrustedProxies {
            hops,
            header: ProxyHeader::XForwardedFor,
        }
        .client_ip(&headers("x-forwarded-for", lines), PEER)
    }

    fn fwd(hops: u8, lines: &[&str]) -> Option<IpAddr> {
        TrustedProxies {
            hops,
            header: ProxyHeader::Forwarded,
        }
        .client_ip(&headers("forwarded", lines), PEER)
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(xff(0, &["203.0.113.9"]), PEER);
        assert_eq!(fwd(0, &["for=203.0.113.9"]), PEER);
        assert_eq!(
            TrustedProxies::default().client_ip(&HeaderMap::new(), None),
            None
        );
    }

    #[test]
    fn x_forwarded_for_is_read_from_the_right() {
        for (hops, lines, expected) in [
            (1, &["203.0.113.9"][..], "203.0.113.9"),
            (1, &["198.51.100.1, 203.0.113.9"], "203.0.113.9"),
            (1, &["198.51.100.1,203.0.113.9"], "203.0.113.9"),
            (2, &["198.51.100.1, 203.0.113.9, 192.0.2.4"], "203.0.113.9"),
            (3, &["198.51.100.1, 203.0.113.9, 192.0.2.4"], "198.51.100.1"),
            // Fewer entries than proxies: all were written by trusted proxies.
            (3, &["203.0.113.9, 192.0.2.4"], "203.0.113.9"),
            // The proxy added a header line of its own after the client's.
            (1, &["198.51.100.1", "203.0.113.9"], "203.0.113.9"),
            (
                2,
                &["198.51.100.1, 203.0.113.9", "192.0.2.4"],
                "203.0.113.9",
            ),
            // Ports, brackets, IPv6, mapped IPv4, spaces.
            (1, &["203.0.113.9:4711"], "203.0.113.9"),
            (1, &["[2001:db8::1]:443"], "2001:db8::1"),
            (1, &["[2001:db8::1]"], "2001:db8::1"),
            (1, &["2001:db8::1"], "2001:db8::1"),
            (1, &["::ffff:203.0.113.9"], "203.0.113.9"),
            (1, &["  203.0.113.9  "], "203.0.113.9"),
            (1, &["203.0.113.9:_hidden"], "203.0.113.9"),
            // Empty list elements do not count.
            (1, &["203.0.113.9, "], "203.0.113.9"),
            (
                2,
                &["198.51.100.1, ,203.0.113.9,, 192.0.2.4"],
                "203.0.113.9",
            ),
            // Whatever the client wrote on the left does not matter.
            (1, &["\"garbage, [::1, unknown, 203.0.113.9"], "203.0.113.9"),
        ] {
            assert_eq!(xff(hops, lines), ip(expected), "{hops} {lines:?}");
        }
    }

    #[test]
    fn malformed_or_missing_x_forwarded_for_falls_back_to_the_peer() {
        for lines in [
            &[][..],
            &[""],
            &["unknown"],
            &["_hidden"],
            &["not an address"],
            &["203.0.113.9, garbage"],
            &[" , "],
            &["203.0.113.9:port"],
            &["203.0.113.9:99999"],
            &["[2001:db8::1"],
            &["[2001:db8::1]x"],
            &["[203.0.113.9]"],
            &["999.0.0.1"],
        ] {
            assert_eq!(xff(1, lines), PEER, "{lines:?}");
        }
        // A header value that is not visible ASCII.
        let mut map = HeaderMap::new();
        map.insert(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"203.0.113.9\xff").unwrap(),
        );
        let trusted = TrustedProxies {
            hops: 1,
            header: ProxyHeader::XForwardedFor,
        };
        assert_eq!(trusted.client_ip(&map, PEER), PEER);
        assert_eq!(trusted.client_ip(&map, None), None);
        // A Forwarded header is not read when X-Forwarded-For is the one trusted.
        let map = headers("forwarded", &["for=203.0.113.9"]);
        assert_eq!(trusted.client_ip(&map, PEER), PEER);
    }

    #[test]
    fn forwarded_is_read_from_the_right_by_its_for_parameter() {
        for (hops, lines, expected) in [
            (1, &["for=203.0.113.9"][..], "203.0.113.9"),
            (1, &["For=203.0.113.9"], "203.0.113.9"),
            (1, &["for = 203.0.113.9"], "203.0.113.9"),
            (1, &["for=\"203.0.113.9\""], "203.0.113.9"),
            (
                1,
                &["for=203.0.113.9;proto=https;by=192.0.2.4"],
                "203.0.113.9",
            ),
            (1, &["proto=https;for=203.0.113.9"], "203.0.113.9"),
            (1, &["for=198.51.100.1, for=203.0.113.9"], "203.0.113.9"),
            (1, &["for=198.51.100.1", "for=203.0.113.9"], "203.0.113.9"),
            (
                2,
                &["for=198.51.100.1, for=203.0.113.9, for=192.0.2.4"],
                "203.0.113.9",
            ),
            (3, &["for=203.0.113.9, for=192.0.2.4"], "203.0.113.9"),
            // RFC 7239's examples: quoted IPv6 with brackets, and ports.
            (1, &["for=\"[2001:db8:cafe::17]\""], "2001:db8:cafe::17"),
            (
                1,
                &["for=\"[2001:db8:cafe::17]:4711\""],
                "2001:db8:cafe::17",
            ),
            (
                1,
                &["For=\"[2001:db8:cafe::17]:4711\""],
                "2001:db8:cafe::17",
            ),
            (1, &["for=\"203.0.113.9:4711\""], "203.0.113.9"),
            // Unquoted where RFC 7239 wants quotes: still unambiguous.
            (1, &["for=203.0.113.9:4711"], "203.0.113.9"),
            (1, &["for=[2001:db8::1]:4711"], "2001:db8::1"),
            (1, &["for=\"203.0.113.9:_port\""], "203.0.113.9"),
            (1, &["for=\"[2001:db8::1]:_p-1\""], "2001:db8::1"),
            (1, &["for=\"[::ffff:203.0.113.9]\""], "203.0.113.9"),
            // A client's unbalanced quote or junk stays in its own elements.
            (
                1,
                &["for=\"[::1, for=unknown;x, for=203.0.113.9"],
                "203.0.113.9",
            ),
            (1, &["for=\"oops, for=203.0.113.9"], "203.0.113.9"),
        ] {
            assert_eq!(fwd(hops, lines), ip(expected), "{hops} {lines:?}");
        }
    }

    #[test]
    fn unknown_obfuscated_or_malformed_forwarded_falls_back_to_the_peer() {
        for lines in [
            &[][..],
            &[""],
            &["for=unknown"],
            &["for=\"unknown\""],
            &["for=_hidden"],
            &["for=\"_SEVKISEK\""],
            &["for=203.0.113.9, for=unknown"],
            &["for=203.0.113.9, for=_gazonk"],
            &["proto=https"],
            &["by=203.0.113.9"],
            &["for=203.0.113.9;for=198.51.100.1"],
            &["for=\"203.0.113.9"],
            &["for=203.0.113.9\""],
            &["for=\"203.0.\\113.9\""],
            &["for"],
            &["for=203.0.113.9;junk"],
            &["for=\"[2001:db8::1]:port\""],
            &["for=\"[2001:db8::1]:_\""],
            &["for=\"[2001:db8::1]:_a b\""],
            &["for=\"203.0.113.9:_\""],
            &["for=\"[]\""],
        ] {
            assert_eq!(fwd(1, lines), PEER, "{lines:?}");
        }
        // X-Forwarded-For is not read when Forwarded is the one trusted.
        let trusted = TrustedProxies {
            hops: 1,
            header: ProxyHeader::Forwarded,
        };
        let map = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(trusted.client_ip(&map, PEER), PEER);
    }

    #[test]
    fn header_names_parse_both_ways() {
        for header in [ProxyHeader::XForwardedFor, ProxyHeader::Forwarded] {
            assert_eq!(ProxyHeader::from_name(header.name()), Some(header));
        }
        assert_eq!(
            ProxyHeader::from_name("X-Forwarded-For"),
            Some(ProxyHeader::XForwardedFor)
        );
        assert_eq!(ProxyHeader::from_name("x-real-ip"), None);
    }
}
