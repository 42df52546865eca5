//! The framework-neutral web layer of the auth toolkit: routes, pages, forms, JSON API, CSRF, cookies.
