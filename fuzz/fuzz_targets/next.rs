//! The `next` redirect check: an accepted target, resolved by a browser against any page
//! of the site, stays on the site, and so does every further percent-decoding of it.
#![no_main]

use auth_http::safe_next;
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;
use url::Url;

fuzz_target!(|raw: &str| {
    let Some(next) = safe_next(raw) else {
        return;
    };
    assert_eq!(next, raw, "accepted targets are returned unchanged");
    let base = Url::parse("https://app.example/auth/login?next=x").expect("a valid base");
    let mut current = next.to_owned();
    for _ in 0..4 {
        let resolved = base
            .join(&current)
            .unwrap_or_else(|e| panic!("{current:?} does not resolve: {e}"));
        assert_eq!(
            resolved.origin(),
            base.origin(),
            "{raw:?} leaves the site as {resolved}"
        );
        assert!(resolved.username().is_empty() && resolved.password().is_none());
        current = percent_decode_str(&current)
            .decode_utf8_lossy()
            .into_owned();
    }
});
