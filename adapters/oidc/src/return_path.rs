//! Where a sign-in may go back to: local paths only, never another site.

/// `path` if it is a local path (`/` then anything but a second `/` or `\`, no control
/// characters, no scheme), else `/`. Browsers treat `//host` and `/\host` as other sites.
pub fn safe_return_path(path: &str) -> &str {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 2048
        && !path.chars().any(|c| c.is_control() || c == '\\');
    if local { path } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_pass() {
        for good in ["/", "/account", "/a/b?c=d#e", "/auth/account?x=//y"] {
            assert_eq!(safe_return_path(good), good);
        }
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/a\nb",
            "/a\\b",
            "/\t/evil.example",
        ] {
            assert_eq!(safe_return_path(bad), "/", "{bad:?}");
        }
        assert_eq!(safe_return_path(&format!("/{}", "a".repeat(3000))), "/");
    }
}
