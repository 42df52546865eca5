//! The generated avatar every account has: the person's initials on a colour derived from
//! the user id, as inline SVG markup for the pages; or, when the person uploaded a
//! picture, an `<img>` of it ([`img`]).
//!
//! Nothing is fetched from elsewhere and nothing is served on a route of its own: the markup
//! goes into the page (so the Content-Security-Policy stays as strict as it is, and no URL
//! tells a stranger which ids exist). It carries presentation attributes only (no `style`,
//! no script, no external reference), is decorative (`aria-hidden`, the name is next to it)
//! and is sized by the stylesheet's `.avatar` rules.

use auth_core::UserId;
use sha2::{Digest, Sha256};

/// The markup of an account's avatar: deterministic from its id (the colour) and the name
/// the pages show for it, `User::shown_name` (the initials, see [`initials`]).
pub(crate) fn svg(id: UserId, shown_name: &str) -> String {
    let (background, text) = colours(id);
    let letters = escape(&initials(shown_name));
    // A smaller font for two letters so that wide ones ("MW") stay inside the circle.
    let size = if letters.chars().count() > 1 { 15 } else { 18 };
    format!(
        concat!(
            r#"<svg class="avatar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false">"#,
            r#"<circle cx="20" cy="20" r="20" fill="{background}"/>"#,
            r#"<text x="20" y="20" dy=".35em" text-anchor="middle" fill="{text}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="{size}" font-weight="600">{letters}</text>"#,
            "</svg>"
        ),
        background = background,
        text = text,
        size = size,
        letters = letters,
    )
}

/// The markup of an uploaded picture at `src` (a URL of the layer's own): an `<img>` in
/// the avatar's place, decorative like it (empty `alt`, the name is next to it).
pub(crate) fn img(src: &str) -> String {
    format!(
        r#"<img class="avatar" src="{}" alt="" width="40" height="40">"#,
        escape(src)
    )
}

/// Up to two letters for `name`: the first letter or digit of its first and last words
/// ("Ada Lovelace" is "AL", "ada@example.com" is "A"), upper-cased; "?" when it has none.
/// An email address gives one letter only (its first), since its words are not a name.
pub(crate) fn initials(name: &str) -> String {
    let first_of = |word: &str| word.chars().find(|c| c.is_alphanumeric());
    let mut found: Vec<char> = if name.contains('@') {
        first_of(name).into_iter().collect()
    } else {
        let words: Vec<&str> = name
            .split_whitespace()
            .filter(|w| first_of(w).is_some())
            .collect();
        match words.as_slice() {
            [] => Vec::new(),
            [one] => first_of(one).into_iter().collect(),
            [first, .., last] => first_of(first).into_iter().chain(first_of(last)).collect(),
        }
    };
    if found.is_empty() {
        found.push('?');
    }
    found.into_iter().flat_map(char::to_uppercase).collect()
}

/// The circle's colour and the text's, from a SHA-256 digest of the id: any hue, with a
/// saturation and a lightness that keep white text readable (see [`readable`]).
fn colours(id: UserId) -> (String, &'static str) {
    let digest = Sha256::digest(id.0.as_bytes());
    let hue = f64::from(u16::from_be_bytes([digest[0], digest[1]]) % 360);
    let saturation = 0.45 + f64::from(digest[2] % 31) / 100.0;
    let lightness = 0.30 + f64::from(digest[3] % 11) / 100.0;
    (hex(readable(hue, saturation, lightness)), "#ffffff")
}

/// The colour, darkened in steps until white text on it has a contrast of at least 4.5:1
/// (WCAG AA): yellows and greens need it at lightnesses where blues do not.
fn readable(hue: f64, saturation: f64, mut lightness: f64) -> [u8; 3] {
    loop {
        let rgb = hsl_to_rgb(hue, saturation, lightness);
        if contrast_with_white(rgb) >= 4.5 || lightness <= 0.0 {
            return rgb;
        }
        lightness -= 0.02;
    }
}

/// WCAG's contrast ratio of white against `rgb`.
fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = rgb.map(linear);
    1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)
}

fn hsl_to_rgb(hue: f64, saturation: f64, lightness: f64) -> [u8; 3] {
    let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let sector = hue / 60.0;
    let x = chroma * (1.0 - (sector % 2.0 - 1.0).abs());
    let (r, g, b) = match sector as u8 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = lightness - chroma / 2.0;
    let channel = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [channel(r), channel(g), channel(b)]
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Text for SVG/HTML content: the five significant characters as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The avatar of account number `id` shown as `email`, or `display_name` when set.
    fn avatar_of(id: u128, email: &str, display_name: Option<&str>) -> String {
        svg(
            UserId(uuid::Uuid::from_u128(id)),
            display_name.unwrap_or(email),
        )
    }

    #[test]
    fn the_same_id_gives_the_same_avatar_and_different_ids_different_colours() {
        let a = avatar_of(1, "ada@example.com", None);
        assert_eq!(a, avatar_of(1, "ada@example.com", None));
        let colours: std::collections::HashSet<String> = (0..50u128)
            .map(|i| colours(UserId(uuid::Uuid::from_u128(i))).0)
            .collect();
        assert_eq!(colours.len(), 50, "50 ids, 50 colours");
        assert_ne!(a, avatar_of(2, "ada@example.com", None));
    }

    #[test]
    fn the_markup_is_a_decorative_self_contained_svg() {
        let a = avatar_of(7, "ada@example.com", None);
        assert!(a.starts_with("<svg class=\"avatar\" xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(a.ends_with("</svg>"));
        assert!(a.contains("aria-hidden=\"true\""));
        assert!(a.contains(">A</text>"), "{a}");
        let rest = a.replace(r#" xmlns="http://www.w3.org/2000/svg""#, "");
        for forbidden in ["style", "href", "script", "url(", "://", " on"] {
            assert!(!rest.contains(forbidden), "{forbidden} in {a}");
        }
    }

    #[test]
    fn initials_come_from_the_display_name_else_the_email() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("  ada   king  lovelace "), "AL");
        assert_eq!(initials("Ada"), "A");
        assert_eq!(initials("émile zola"), "ÉZ");
        assert_eq!(initials("ada.lovelace@example.com"), "A");
        assert_eq!(initials("(Ada) — Lovelace"), "AL");
        assert_eq!(initials("ß x"), "SSX");
        assert_eq!(initials("<>&"), "?");
        assert_eq!(initials(""), "?");
        let shown = avatar_of(3, "zed@example.com", Some("Grace Hopper"));
        assert!(shown.contains(">GH</text>"), "{shown}");
    }

    #[test]
    fn text_from_the_name_is_escaped() {
        let a = avatar_of(4, "x@example.com", Some("<script>alert(1)</script>"));
        assert!(!a.contains("<script"), "{a}");
        assert!(a.contains(">S</text>"), "{a}");
        assert_eq!(
            escape("<a href='x'>\"&\"</a>"),
            "&lt;a href=&#x27;x&#x27;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn white_text_stays_readable_on_every_colour() {
        for hue in 0..360 {
            for saturation in [0.45, 0.60, 0.75] {
                for lightness in [0.30, 0.35, 0.40] {
                    let rgb = readable(f64::from(hue), saturation, lightness);
                    let contrast = contrast_with_white(rgb);
                    assert!(
                        contrast >= 4.5,
                        "{hue} {saturation} {lightness}: {contrast}"
                    );
                }
            }
        }
        // Blue keeps its lightness, yellow is darkened.
        assert_eq!(readable(220.0, 0.6, 0.4), hsl_to_rgb(220.0, 0.6, 0.4));
        assert_ne!(readable(60.0, 0.6, 0.4), hsl_to_rgb(60.0, 0.6, 0.4));
        assert_eq!(contrast_with_white([0, 0, 0]), 21.0);
    }
}
