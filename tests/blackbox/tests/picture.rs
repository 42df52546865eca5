//! Uploaded profile pictures on every demo, over HTTP: the upload form of the account
//! page (multipart, CSRF), the picture served with its exact type and strict headers to
//! its owner and administrators only, shown in place of the generated avatar in the
//! header, the account page and the admin pages, removed again; the JSON API; and bad
//! files refused with a 4xx naming the field, changing nothing.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::{Body, Client, Demo, PASSWORD, Resp, email};
use serde_json::json;

blackbox_tests::scenarios!(
    upload_show_serve_and_remove_a_picture,
    bad_files_are_refused_with_the_field_and_change_nothing,
    json_upload_read_and_remove,
    admins_see_pictures_on_their_pages,
);

const BOUNDARY: &str = "----blackboxPictureBoundary7MA4YWxk";

/// A `w`×`h` PNG with a text chunk carrying `secret` (that must never be served back).
fn png_with_text(w: u32, h: u32, secret: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    let png = out.into_inner();
    // After the signature and IHDR (8 + 25 bytes): a tEXt chunk.
    let text = chunk(b"tEXt", format!("Comment\0{secret}").as_bytes());
    [&png[..33], &text, &png[33..]].concat()
}

/// A PNG chunk with its CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind.as_slice(), data].concat()).to_be_bytes());
    out
}

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

/// A multipart body with the CSRF token (when given) and `file` as the `picture` field.
fn multipart(csrf: Option<&str>, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(token) = csrf {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"picture\"; filename=\"me.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts `file` through the account page's upload form.
fn upload(c: &mut Client, file: &[u8]) -> Resp {
    let account = c.get("/auth/account");
    assert_eq!(account.status, 200, "{}", account.body);
    let token = c.csrf.clone();
    let body = multipart(token.as_deref(), file);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    c.send(
        "POST",
        "/auth/account/picture",
        Body::Raw(Some(&content_type), &body),
        &[],
    )
}

/// A confirmed account, signed in; with its id.
fn signed_in(demo: &Demo, scenario: &str) -> (Client, String) {
    let email = email(scenario, demo);
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    assert_eq!(c.login(&email, PASSWORD).status, 303);
    let id = c.get_json("/auth/api/me").json()["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (c, id)
}

/// The `src` of the uploaded picture on a page (`/auth/pictures/{id}/{version}`).
fn picture_src(page: &str, id: &str) -> Option<String> {
    let start = page.find(&format!("src=\"/auth/pictures/{id}/"))? + 5;
    let end = start + page[start..].find('"')?;
    Some(page[start..end].to_owned())
}

fn upload_show_serve_and_remove_a_picture(demo: &Demo) {
    let (mut c, id) = signed_in(demo, "picture-flow");
    let account = c.get("/auth/account");
    assert!(
        account.body.contains("enctype=\"multipart/form-data\""),
        "{}",
        account.body
    );
    assert!(account.body.contains("id=\"f-picture\""));
    assert!(!account.body.contains("Remove picture"));
    assert_eq!(picture_src(&account.body, &id), None);

    let r = upload(&mut c, &png_with_text(300, 200, "SecretLocation"));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/account");
    let account = c.follow(&r);
    assert!(
        account.body.contains("Your picture was saved."),
        "{}",
        account.body
    );
    assert!(account.body.contains("Remove picture"));
    let src = picture_src(&account.body, &id).expect("the picture on the account page");
    assert_eq!(
        account
            .body
            .matches(&format!("<img class=\"avatar\" src=\"{src}\""))
            .count(),
        3,
        "header, identity and picture card: {}",
        account.body
    );
    let dashboard = c.get("/dashboard");
    assert!(
        dashboard.body.contains(&src),
        "the demo's own page header: {}",
        dashboard.body
    );

    let served = c.get(&src);
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        served.header("content-security-policy"),
        Some("default-src 'none'; sandbox")
    );
    assert_eq!(
        served.header("cache-control"),
        Some("private, max-age=31536000, immutable")
    );
    assert!(
        served.body.starts_with("\u{fffd}PNG"),
        "{:?}",
        &served.body[..8]
    );
    assert!(served.body.contains("IEND"));
    assert!(
        !served.body.contains("SecretLocation"),
        "the text chunk was dropped"
    );
    let etag = served.header("etag").unwrap().to_owned();
    let again = c.send("GET", &src, Body::None, &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);

    // An old URL still shows the current picture, uncached.
    let old = format!("/auth/pictures/{id}/0000000000000000");
    let r = c.get(&old);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("private, no-cache"));

    // Nobody else sees it: another account gets 404, a stranger the sign-in page.
    let (mut other, _) = signed_in(demo, "picture-other");
    assert_eq!(other.get(&src).status, 404);
    let r = demo.client().get(&src);
    assert_eq!(r.status, 303);
    assert!(r.location().starts_with("/auth/login"), "{}", r.location());

    // A new upload changes the URL at once.
    let r = upload(&mut c, &png_with_text(50, 80, "x"));
    assert_eq!(r.status, 303, "{}", r.body);
    let newer = picture_src(&c.get("/auth/account").body, &id).unwrap();
    assert_ne!(newer, src);

    let r = c.post("/auth/account/picture/remove", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let account = c.follow(&r);
    assert!(account.body.contains("Your picture was removed."));
    assert_eq!(picture_src(&account.body, &id), None);
    assert!(account.body.contains("<svg class=\"avatar\""));
    assert_eq!(c.get(&newer).status, 404);
}

fn bad_files_are_refused_with_the_field_and_change_nothing(demo: &Demo) {
    let (mut c, id) = signed_in(demo, "picture-bad");
    assert_eq!(upload(&mut c, &png_with_text(64, 64, "ok")).status, 303);
    let before = picture_src(&c.get("/auth/account").body, &id).unwrap();

    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let png = png_with_text(64, 64, "ok");
    // 60 000 × 60 000 one-bit pixels announced by a file of a few dozen bytes.
    let mut ihdr = 60_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]);
    let bomb = [
        &b"\x89PNG\r\n\x1a\n"[..],
        &chunk(b"IHDR", &ihdr),
        &chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
        &chunk(b"IEND", &[]),
    ]
    .concat();
    let over_bytes = vec![0u8; 5 * 1024 * 1024 + 1];
    let cases: [(&str, &[u8], &str); 6] = [
        ("a GIF", gif, "GIF"),
        ("text", b"<svg onload=alert(1)></svg>", "PNG, JPEG or WebP"),
        (
            "a truncated PNG",
            &png[..png.len() / 2],
            "damaged or incomplete",
        ),
        ("an empty file", b"", "empty"),
        ("a decompression bomb", &bomb, "60000×60000 pixels"),
        (
            "over the byte limit",
            &over_bytes,
            "larger than 5242880 bytes",
        ),
    ];
    for (what, file, reason) in cases {
        let r = upload(&mut c, file);
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert!(
            r.body.contains("id=\"f-picture-error\""),
            "{what}: {}",
            r.body
        );
        assert!(r.body.contains(reason), "{what}: {reason} in {}", r.body);
        assert!(
            r.body.contains(&before),
            "{what}: the old picture is still shown"
        );
    }

    // Without the CSRF token: refused, nothing changed.
    let body = multipart(None, &png_with_text(20, 20, "csrf"));
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let r = c.send(
        "POST",
        "/auth/account/picture",
        Body::Raw(Some(&content_type), &body),
        &[],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    // Not multipart: 415.
    let r = c.send(
        "POST",
        "/auth/account/picture",
        Body::Raw(Some("image/png"), &png),
        &[],
    );
    assert_eq!(r.status, 415, "{}", r.body);
    // Past the upload limit: 413 without reading on.
    let huge = multipart(c.csrf.clone().as_deref(), &vec![0u8; 6 * 1024 * 1024]);
    let r = c.send(
        "POST",
        "/auth/account/picture",
        Body::Raw(Some(&content_type), &huge),
        &[],
    );
    assert_eq!(r.status, 413, "{}", r.body);
    // An ordinary form keeps its small limit.
    let r = c.send(
        "POST",
        "/auth/account/profile",
        Body::Raw(
            Some("application/x-www-form-urlencoded"),
            &vec![b'a'; 200 * 1024],
        ),
        &[],
    );
    assert_eq!(r.status, 413);

    assert_eq!(picture_src(&c.get("/auth/account").body, &id), Some(before));
}

fn json_upload_read_and_remove(demo: &Demo) {
    let email = email("picture-api", demo);
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    assert_eq!(c.api_login(&email, PASSWORD).status, 200);
    let r = c.get_json("/auth/api/account/picture");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({ "picture": null }));

    let png = png_with_text(120, 90, "api");
    let r = c.send(
        "POST",
        "/auth/api/account/picture",
        Body::Raw(Some("image/png"), &png),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let picture = r.json()["picture"].clone();
    assert_eq!(picture["content_type"], "image/png");
    let url = picture["url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(picture["version"].as_str().unwrap()));
    assert_eq!(
        c.get_json("/auth/api/account/picture").json()["picture"],
        picture
    );
    assert_eq!(c.get(&url).status, 200);

    // Bad bytes under an accepted type: 400 naming the field and the reason.
    let r = c.send(
        "POST",
        "/auth/api/account/picture",
        Body::Raw(Some("application/octet-stream"), b"GIF89a not really"),
        &[],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let error = r.json()["error"].clone();
    assert_eq!(error["code"], "validation_failed", "{error}");
    assert_eq!(
        error["fields"]["picture"]["code"], "unsupported_type",
        "{error}"
    );
    // A type a cross-site form could send: 415.
    let r = c.send(
        "POST",
        "/auth/api/account/picture",
        Body::Raw(Some("text/plain"), &png),
        &[],
    );
    assert_eq!(r.status, 415, "{}", r.body);
    // From another site: refused.
    let r = c.send(
        "POST",
        "/auth/api/account/picture",
        Body::Raw(Some("image/png"), &png),
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        c.get_json("/auth/api/account/picture").json()["picture"],
        picture
    );

    let r = c.api("/auth/api/account/picture/remove", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({ "removed": true }));
    let r = c.api("/auth/api/account/picture/remove", json!({}));
    assert_eq!(r.json(), json!({ "removed": false }));
    assert_eq!(c.get(&url).status, 404);
    let r = demo.client().get_json("/auth/api/account/picture");
    assert_eq!(r.status, 401);
}

fn admins_see_pictures_on_their_pages(demo: &Demo) {
    let (mut c, id) = signed_in(demo, "picture-subject");
    assert_eq!(upload(&mut c, &png_with_text(40, 40, "admin")).status, 303);
    let src = picture_src(&c.get("/auth/account").body, &id).unwrap();

    let admin = email("picture-admin", demo);
    demo.create_user(&admin, true, true);
    let mut a = demo.client();
    assert_eq!(a.login(&admin, PASSWORD).status, 303);
    let user_page = a.get(&format!("/auth/admin/users/{id}"));
    assert_eq!(user_page.status, 200);
    assert!(user_page.body.contains(&src), "{}", user_page.body);
    let subject_email = c.get_json("/auth/api/me").json()["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = a.get(&format!(
        "/auth/admin?q={}",
        blackbox_tests::enc(&subject_email)
    ));
    assert!(list.body.contains(&src), "{}", list.body);
    let served = a.get(&src);
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/png"));
}
