//! QR codes as inline SVG, for the authenticator enrolment page: drawn by the `qrcode`
//! crate's SVG renderer into markup the page embeds, so that no script, image request or
//! outside service is involved and the strict CSP holds.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The smallest side of the drawing, in CSS pixels (the stylesheet scales it down on
/// narrow screens).
const MIN_SIDE: u32 = 200;

/// What a screen reader says of the drawing.
const LABEL: &str = "QR code to scan with your authenticator app";

/// `data` (an `otpauth://` URL) as an `<svg>` element with `class="qr"`, `role="img"` and
/// an `aria-label`, black on white with the quiet zone scanners need; `None` when it does
/// not fit in a QR code (over about 2 KB at this error correction level).
pub(crate) fn svg(data: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let drawing = code
        .render::<svg::Color<'_>>()
        .min_dimensions(MIN_SIDE, MIN_SIDE)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The renderer writes a standalone document: drop its XML declaration and name the
    // element for the page.
    let start = drawing.find("<svg")?;
    let element = &drawing[start + "<svg".len()..];
    Some(format!(
        "<svg class=\"qr\" role=\"img\" aria-label=\"{LABEL}\"{element}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_otpauth_url_becomes_one_labelled_svg_element() {
        let url = "otpauth://totp/Demo:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Demo";
        let svg = svg(url).unwrap();
        assert!(
            svg.starts_with("<svg class=\"qr\" role=\"img\" aria-label="),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<?xml") && !svg.contains("<script"), "{svg}");
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.contains("<path"), "modules are drawn");
        // Nothing of the URL is written out as text.
        assert!(!svg.contains("JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn data_too_long_for_a_qr_code_is_none() {
        assert!(svg(&"x".repeat(5000)).is_none());
    }
}
