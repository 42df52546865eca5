//! Finding links in message text: the development mailer logs the first one, and the
//! readers of feature `read` look for them in bodies read back.

/// Every `http://`/`https://` link of `text`, in order, without trailing punctuation.
pub(crate) fn links(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = match (rest.find("https://"), rest.find("http://")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return None,
        };
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
            .unwrap_or(tail.len());
        let link = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        rest = &tail[end..];
        Some(link)
    })
}

/// The first `http://` or `https://` link in `text`, without trailing punctuation.
///
/// ```
/// let text = "Confirm your address: https://example.com/auth/verify/abc.\nThanks";
/// assert_eq!(auth_smtp::first_link(text), Some("https://example.com/auth/verify/abc"));
/// ```
pub fn first_link(text: &str) -> Option<&str> {
    links(text).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links() {
        assert_eq!(first_link("no link here"), None);
        assert_eq!(
            first_link("go to (https://a.example/x?y=1), now"),
            Some("https://a.example/x?y=1")
        );
        assert_eq!(
            first_link("<a href=\"http://b.example/t\">x</a> https://c.example"),
            Some("http://b.example/t")
        );
        let all: Vec<_> = links("https://one.example/a\nhttp://two.example/b.").collect();
        assert_eq!(all, ["https://one.example/a", "http://two.example/b"]);
    }
}
