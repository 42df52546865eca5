//! Reading what a browser asks for.

/// The language tags of an `Accept-Language` header, the most wanted first: tags with
/// `q=0` (not wanted) and `*` are dropped, ties keep the header's order, and at most
/// 16 tags are read.
///
/// ```
/// assert_eq!(auth_i18n::accept_language("de;q=0.5, es-MX, fr;q=0, *"), ["es-MX", "de"]);
/// ```
pub fn accept_language(header: &str) -> Vec<String> {
    let mut ranked: Vec<(u16, String)> = header
        .split(',')
        .take(16)
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            if tag.is_empty() || tag == "*" || tag.len() > 35 {
                return None;
            }
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality)?;
            (quality > 0).then(|| (quality, tag.to_owned()))
        })
        .collect();
    ranked.sort_by_key(|item| std::cmp::Reverse(item.0));
    ranked.into_iter().map(|(_, tag)| tag).collect()
}

/// A `q` value in thousandths; `None` when it is not one.
fn quality(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_out_by_quality_then_in_order() {
        assert_eq!(
            accept_language("en-US,en;q=0.9,de;q=0.9,es;q=0.95"),
            ["en-US", "es", "en", "de"]
        );
    }

    #[test]
    fn unwanted_and_malformed_items_are_dropped() {
        assert_eq!(
            accept_language("de;q=0, fr;q=abc, ;q=1, es;q=2, it"),
            ["it"]
        );
        assert!(accept_language("").is_empty());
    }
}
