//! Turning an upload into a stored picture: sniff, check the limits on the header,
//! decode, square, re-encode.

use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder as _, ImageEncoder as _, ImageError, ImageReader, Limits};

use super::{PictureFormat, PictureLimits, PictureRejection};

/// The upload `bytes` as a square PNG of `limits.size` pixels holding nothing but pixels.
/// Runs in well under a second for the default limits; call it off the async executor
/// ([`Auth::set_picture`](crate::Auth::set_picture) does).
///
/// # Errors
/// [`PictureRejection`]: empty, too many bytes, not PNG/JPEG/WebP, too many pixels
/// (checked on the header, before decoding), or damaged.
pub fn process(bytes: &[u8], limits: &PictureLimits) -> Result<Vec<u8>, PictureRejection> {
    if bytes.is_empty() {
        return Err(PictureRejection::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(PictureRejection::TooLarge {
            max_bytes: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    let corrupt = || PictureRejection::Corrupt { format };
    let too_many = |width, height| PictureRejection::TooManyPixels {
        width,
        height,
        max_pixels: limits.max_pixels,
        max_side: limits.max_side,
    };

    // The header alone: a bomb announcing a billion pixels stops here. (No size limits
    // on this reader, so that the refusal can say what the file announced.)
    let (width, height) = reader(bytes, format, None)
        .into_dimensions()
        .map_err(|_| corrupt())?;
    if width == 0 || height == 0 {
        return Err(corrupt());
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(too_many(width, height));
    }

    let mut decoder = reader(bytes, format, Some(limits))
        .into_decoder()
        .map_err(|_| corrupt())?;
    let orientation = decoder.orientation().map_err(|_| corrupt())?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        ImageError::Limits(_) => too_many(width, height),
        _ => corrupt(),
    })?;
    image.apply_orientation(orientation);

    let square = image.resize_to_fill(limits.size, limits.size, FilterType::CatmullRom);
    let square = if square.color().has_alpha() {
        DynamicImage::ImageRgba8(square.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(square.into_rgb8())
    };
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive)
        .write_image(
            square.as_bytes(),
            square.width(),
            square.height(),
            square.color().into(),
        )
        .map_err(|_| corrupt())?;
    Ok(out)
}

/// A reader of `bytes` as `format` (never guessed from anything but the sniffed bytes),
/// with `limits` handed to the decoder as well when given.
fn reader<'a>(
    bytes: &'a [u8],
    format: PictureFormat,
    limits: Option<&PictureLimits>,
) -> ImageReader<Cursor<&'a [u8]>> {
    let mut reader = ImageReader::with_format(
        Cursor::new(bytes),
        match format {
            PictureFormat::Png => image::ImageFormat::Png,
            PictureFormat::Jpeg => image::ImageFormat::Jpeg,
            PictureFormat::WebP => image::ImageFormat::WebP,
        },
    );
    if let Some(limits) = limits {
        let mut decoder_limits = Limits::default();
        decoder_limits.max_image_width = Some(limits.max_side);
        decoder_limits.max_image_height = Some(limits.max_side);
        // Room for the decoded image at 16 bits per channel with alpha, and a copy.
        decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(16));
        reader.limits(decoder_limits);
    }
    reader
}

/// The format the bytes are, by their signature; other well-known kinds are named in
/// the refusal.
fn sniff(bytes: &[u8]) -> Result<PictureFormat, PictureRejection> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(PictureFormat::Png);
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(PictureFormat::Jpeg);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Ok(PictureFormat::WebP);
    }
    let found = if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("gif")
    } else if starts(b"BM") {
        Some("bmp")
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some("tiff")
    } else if bytes.get(4..8) == Some(b"ftyp") {
        Some("avif_heic")
    } else if starts(b"%PDF") {
        Some("pdf")
    } else if starts(b"PK\x03\x04") {
        Some("zip")
    } else if bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
    {
        Some("markup")
    } else {
        None
    };
    Err(PictureRejection::Unsupported { found })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use image::codecs::jpeg::JpegEncoder;
    use image::{ExtendedColorType, Rgb, RgbImage, Rgba, RgbaImage};

    use super::*;

    const LIMITS: PictureLimits = PictureLimits::DEFAULT;

    /// A `w`×`h` RGB gradient (so that encoders cannot make it trivially small).
    fn rgb(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]))
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(rgb(w, h).as_raw(), w, h, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(rgb(w, h).as_raw(), w, h, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    /// PNG's CRC-32 (ISO-HDLC), for chunks crafted by hand.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut covered = kind.to_vec();
        covered.extend_from_slice(data);
        out.extend_from_slice(&crc32(&covered).to_be_bytes());
        out
    }

    /// The chunk types of a PNG, in order.
    fn png_chunks(bytes: &[u8]) -> Vec<String> {
        let mut at = 8;
        let mut kinds = Vec::new();
        while at + 8 <= bytes.len() {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            kinds.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
            at += 12 + len;
        }
        kinds
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// A JPEG carrying an EXIF segment (orientation "rotate 90° clockwise", a camera
    /// make and a GPS-like text) and a comment segment.
    fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let plain = jpeg(w, h);
        // TIFF, big-endian: IFD0 with Orientation (0x0112) = 6 and Make (0x010F).
        let make = b"SecretCam GPS 48.8584N 2.2945E\0";
        let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&2u16.to_be_bytes());
        tiff.extend_from_slice(&[0x01, 0x0F, 0, 2]); // Make, ASCII
        tiff.extend_from_slice(&(make.len() as u32).to_be_bytes());
        tiff.extend_from_slice(&(8u32 + 2 + 2 * 12 + 4).to_be_bytes());
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation
        tiff.extend_from_slice(&0u32.to_be_bytes());
        tiff.extend_from_slice(make);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        let comment = b"SecretComment";
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(comment);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_png_becomes_a_square_png_of_the_configured_size() {
        let out = process(&png(400, 300), &LIMITS).unwrap();
        assert!(out.starts_with(b"\x89PNG\r\n\x1a\n"));
        let img = image::load_from_memory(&out).unwrap();
        assert_eq!((img.width(), img.height()), (256, 256));
        assert_eq!(png_chunks(&out), ["IHDR", "IDAT", "IEND"]);
    }

    #[test]
    fn exif_and_comments_of_a_jpeg_are_gone_and_its_orientation_applied() {
        let upload = jpeg_with_exif(300, 200);
        assert!(contains(&upload, b"SecretCam"));
        assert!(contains(&upload, b"SecretComment"));
        // The decoder sees the EXIF: the upload really is an EXIF-bearing JPEG.
        let mut decoder = reader(&upload, PictureFormat::Jpeg, Some(&LIMITS))
            .into_decoder()
            .unwrap();
        assert_eq!(
            decoder.orientation().unwrap(),
            image::metadata::Orientation::Rotate90
        );
        let limits = PictureLimits { size: 64, ..LIMITS };
        let out = process(&upload, &limits).unwrap();
        assert!(out.starts_with(b"\x89PNG"));
        assert_eq!(png_chunks(&out), ["IHDR", "IDAT", "IEND"]);
        for secret in [
            &b"SecretCam"[..],
            b"GPS",
            b"SecretComment",
            b"Exif",
            b"MM\0*",
        ] {
            assert!(!contains(&out, secret), "{secret:?} survived");
        }
        let mut again = reader(&out, PictureFormat::Png, Some(&LIMITS))
            .into_decoder()
            .unwrap();
        assert!(again.exif_metadata().unwrap().is_none());
        assert!(again.icc_profile().unwrap().is_none());
    }

    #[test]
    fn png_text_exif_and_icc_chunks_are_dropped_and_transparency_kept() {
        let mut out = Vec::new();
        let img = RgbaImage::from_fn(50, 50, |x, _| {
            Rgba([255, 0, 0, if x < 25 { 0 } else { 255 }])
        });
        PngEncoder::new(&mut out)
            .write_image(img.as_raw(), 50, 50, ExtendedColorType::Rgba8)
            .unwrap();
        // After IHDR (8 + 25 bytes): text, EXIF and a (bogus) ICC profile.
        let mut crafted = out[..33].to_vec();
        crafted.extend(chunk(b"tEXt", b"Comment\0SecretText"));
        crafted.extend(chunk(b"eXIf", b"MM\0*\0\0\0\x08SecretExif"));
        crafted.extend(chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0SecretXmp"));
        crafted.extend_from_slice(&out[33..]);
        assert!(png_chunks(&crafted).contains(&"eXIf".to_owned()));
        let processed = process(&crafted, &LIMITS).unwrap();
        assert_eq!(png_chunks(&processed), ["IHDR", "IDAT", "IEND"]);
        for secret in [&b"SecretText"[..], b"SecretExif", b"SecretXmp"] {
            assert!(!contains(&processed, secret));
        }
        let back = image::load_from_memory(&processed).unwrap().into_rgba8();
        assert_eq!(back.get_pixel(0, 128)[3], 0, "transparent left half");
        assert_eq!(back.get_pixel(255, 128)[3], 255, "opaque right half");
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header_at_once() {
        // 60 000 × 60 000 one-bit pixels: 450 MB once inflated, from a few hundred bytes.
        let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = 60_000u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&60_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[1, 0, 0, 0, 0]);
        bomb.extend(chunk(b"IHDR", &ihdr));
        // The first rows of zeros, deflated (a stored-nothing zlib stream is enough: the
        // decoder must never get that far).
        bomb.extend(chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        bomb.extend(chunk(b"IEND", &[]));
        let started = Instant::now();
        let refused = process(&bomb, &LIMITS).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_millis(50),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            refused,
            PictureRejection::TooManyPixels {
                width: 60_000,
                height: 60_000,
                max_pixels: LIMITS.max_pixels,
                max_side: LIMITS.max_side,
            }
        );
        // Within the side limit but over the pixel count: refused too.
        let tight = PictureLimits {
            max_pixels: 100 * 100,
            ..LIMITS
        };
        assert!(matches!(
            process(&png(101, 100), &tight),
            Err(PictureRejection::TooManyPixels {
                width: 101,
                height: 100,
                ..
            })
        ));
        assert!(process(&png(100, 100), &tight).is_ok());
    }

    #[test]
    fn truncated_and_corrupt_files_are_refused() {
        let whole = png(120, 80);
        for cut in [9, 40, whole.len() / 2, whole.len() - 13] {
            assert_eq!(
                process(&whole[..cut], &LIMITS),
                Err(PictureRejection::Corrupt {
                    format: PictureFormat::Png
                }),
                "cut at {cut}"
            );
        }
        let whole = jpeg(120, 80);
        for cut in [4, 100, whole.len() / 3] {
            assert_eq!(
                process(&whole[..cut], &LIMITS),
                Err(PictureRejection::Corrupt {
                    format: PictureFormat::Jpeg
                }),
                "cut at {cut}"
            );
        }
        let mut garbled = png(60, 60);
        let mid = garbled.len() / 2;
        garbled[mid..mid + 16].fill(0xAB);
        assert!(matches!(
            process(&garbled, &LIMITS),
            Err(PictureRejection::Corrupt { .. })
        ));
        assert_eq!(
            process(b"RIFF\0\0\0\0WEBPVP8 nonsense", &LIMITS),
            Err(PictureRejection::Corrupt {
                format: PictureFormat::WebP
            })
        );
    }

    #[test]
    fn gif_and_other_kinds_are_refused_by_their_bytes() {
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        let refused = process(gif, &LIMITS).unwrap_err();
        assert_eq!(
            refused,
            PictureRejection::Unsupported { found: Some("gif") }
        );
        assert_eq!(
            refused.to_string(),
            "Upload a PNG, JPEG or WebP image (this file is a GIF image)."
        );
        let svg = b"  <svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert!(matches!(
            process(svg, &LIMITS),
            Err(PictureRejection::Unsupported { found: Some(_) })
        ));
        assert_eq!(
            process(b"just some text", &LIMITS),
            Err(PictureRejection::Unsupported { found: None })
        );
        assert_eq!(process(b"", &LIMITS), Err(PictureRejection::Empty));
    }

    #[test]
    fn a_polyglot_keeps_only_its_pixels() {
        // A valid PNG followed by an HTML page with a script (and a ZIP header): served
        // as it came, a browser sniffing it might run the script.
        let mut polyglot = png(64, 64);
        polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
        polyglot.extend_from_slice(b"PK\x03\x04payload");
        let out = process(&polyglot, &LIMITS).unwrap();
        assert!(!contains(&out, b"<script"));
        assert!(!contains(&out, b"PK\x03\x04"));
        assert_eq!(png_chunks(&out), ["IHDR", "IDAT", "IEND"]);
        // The other way round, an HTML page that carries a PNG, is no image at all.
        let mut html_first = b"<html>".to_vec();
        html_first.extend_from_slice(&png(8, 8));
        assert!(matches!(
            process(&html_first, &LIMITS),
            Err(PictureRejection::Unsupported { .. })
        ));
    }

    #[test]
    fn the_byte_limit_is_checked_before_anything_else() {
        let limits = PictureLimits {
            max_bytes: 100,
            ..LIMITS
        };
        assert_eq!(
            process(&[0u8; 101], &limits),
            Err(PictureRejection::TooLarge { max_bytes: 100 })
        );
        let e: crate::Error = PictureRejection::TooLarge { max_bytes: 100 }.into();
        match e {
            crate::Error::Validation(v) => {
                let f = v.field("picture").unwrap();
                assert_eq!(
                    (f.code, f.message.as_str()),
                    ("too_large", "The picture is larger than 100 bytes.")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn webp_uploads_are_accepted() {
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .write_image(rgb(90, 120).as_raw(), 90, 120, ExtendedColorType::Rgb8)
            .unwrap();
        let processed = process(&out, &LIMITS).unwrap();
        let img = image::load_from_memory(&processed).unwrap();
        assert_eq!((img.width(), img.height()), (256, 256));
    }
}
