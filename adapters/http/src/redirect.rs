//! `next` redirect validation: only local paths are ever followed.

use percent_encoding::percent_decode_str;

/// The longest `next` value accepted.
const MAX_NEXT_LEN: usize = 2048;

/// Returns `raw` when it is a safe local redirect target, `None` otherwise.
///
/// A safe target is an absolute path on this site: it starts with a single `/`, and
/// neither it nor any percent-decoding of it starts with `//` or `/\`, contains a
/// backslash, a control character or whitespace, or a scheme. So `//evil.example`,
/// `https://evil.example`, `/\evil.example`, `/%2F%2Fevil.example`, `/%5Cevil.example`
/// and `javascript:...` are all refused. `raw` is the value after the usual single
/// decoding of a query string or form body.
pub fn safe_next(raw: &str) -> Option<&str> {
    if raw.is_empty() || raw.len() > MAX_NEXT_LEN || !is_local(raw) {
        return None;
    }
    // Decode up to three more times: a target that becomes unsafe when a proxy, a
    // framework or a browser decodes it again is refused too.
    let mut current = raw.to_owned();
    for _ in 0..3 {
        let decoded = percent_decode_str(&current)
            .decode_utf8_lossy()
            .into_owned();
        let b = decoded.as_bytes();
        if b.first() != Some(&b'/')
            || matches!(b.get(1), Some(b'/' | b'\\'))
            || decoded.chars().any(|c| c == '\\' || c.is_control())
        {
            return None;
        }
        if decoded == current {
            break;
        }
        current = decoded;
    }
    Some(raw)
}

fn is_local(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace() || !c.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn local_paths_are_accepted() {
        for ok in [
            "/",
            "/dashboard",
            "/a/b?c=d&e=%20f#frag",
            "/auth/account",
            "/x:y",
        ] {
            assert_eq!(safe_next(ok), Some(ok), "{ok}");
        }
    }

    #[test]
    fn foreign_and_tricky_targets_are_refused() {
        for bad in [
            "",
            "dashboard",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "/%2F%2Fevil.example",
            "/%2fevil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "/a\r\nSet-Cookie: x=y",
            "/caf\u{e9}",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), None);
    }
}
